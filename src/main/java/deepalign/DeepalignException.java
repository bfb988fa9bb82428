package deepalign;

/**
 * A problem the user can fix (bad file, bad flag, incompatible models). The message is one clear
 * sentence; the CLI prints it without a stack trace and exits with status 2.
 */
public class DeepalignException extends RuntimeException {
    public DeepalignException(String message) {
        super(message);
    }

    public DeepalignException(String message, Throwable cause) {
        super(message, cause);
    }
}
