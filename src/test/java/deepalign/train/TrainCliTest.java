package deepalign.train;

import static org.assertj.core.api.Assertions.assertThat;

import deepalign.cli.AttackFinetuneCommand;
import deepalign.cli.TrainCommand;
import deepalign.data.Jsonl;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The train and attack-finetune commands end to end on the tiny organism (one short epoch each). */
class TrainCliTest {
    @TempDir
    Path tmp;

    static List<String> common() {
        Path o = TrainFixtures.organism().dir();
        return new ArrayList<>(List.of("--base", o.resolve("base").toString(), "--aligned", o.resolve("aligned").toString(),
                "--harmful", TrainFixtures.harmful().toString(), "--utility", TrainFixtures.utility().toString(),
                "--harmful-responses", "dataset", "--epochs", "1", "--lr", "1e-3", "--batch", "8"));
    }

    static int train(StringWriter err, String... args) {
        CommandLine cl = new CommandLine(new TrainCommand());
        cl.setErr(new PrintWriter(err));
        cl.setExecutionExceptionHandler((ex, cmd, parse) -> {
            cmd.getErr().println("deepalign: " + ex.getMessage());
            cmd.getErr().flush();
            return 2;
        });
        return cl.execute(args);
    }

    @Test
    void completionBaselinesAndRecoverRunFromTheCommandLine() {
        StringWriter err = new StringWriter();
        List<String> a = common();
        a.addAll(List.of("--out", tmp.resolve("c").toString(), "--top-m", "1005", "--penalty", "logit-l2", "--checkpoint-every", "2"));
        a.add(0, "completion");
        assertThat(train(err, a.toArray(String[]::new))).as(err.toString()).isZero();
        assertThat(tmp.resolve("c/model/model.safetensors")).isRegularFile();
        assertThat(CompletionTrainer.savedConfig(tmp.resolve("c")).loss().penalty()).isEqualTo(CompletionLoss.Penalty.LOGIT_L2);
        assertThat(CompletionTrainer.savedConfig(tmp.resolve("c")).teacher().topM()).isEqualTo(1005);
        // resuming a finished run only rewrites its outputs
        assertThat(train(err, "completion", "--resume", tmp.resolve("c").toString())).as(err.toString()).isZero();

        for (String sub : List.of("sft-refusal", "augment")) {
            List<String> b = common();
            b.add(0, sub);
            b.addAll(List.of("--out", tmp.resolve(sub).toString()));
            assertThat(train(err, b.toArray(String[]::new))).as(err.toString()).isZero();
            assertThat(tmp.resolve(sub + "/model/model.safetensors")).isRegularFile();
        }

        List<String> r = common();
        r.add(0, "recover");
        r.addAll(List.of("--broken", tmp.resolve("sft-refusal/model").toString(), "--stage1-epochs", "1", "--out", tmp.resolve("r").toString()));
        assertThat(train(err, r.toArray(String[]::new))).as(err.toString()).isZero();
        assertThat(tmp.resolve("r/model/model.safetensors")).isRegularFile();
        r.addAll(List.of("--student", tmp.resolve("augment/model").toString()));
        assertThat(train(err, r.toArray(String[]::new))).isEqualTo(2);
        assertThat(err.toString()).contains("--student belongs to train completion");

        // a student that starts elsewhere than the aligned teacher
        List<String> s = common();
        s.add(0, "completion");
        s.addAll(List.of("--student", tmp.resolve("sft-refusal/model").toString(), "--lambda", "3", "--lambda-utility", "1",
                "--out", tmp.resolve("s").toString()));
        assertThat(train(err, s.toArray(String[]::new))).as(err.toString()).isZero();
        CompletionConfig saved = CompletionTrainer.savedConfig(tmp.resolve("s"));
        assertThat(saved.student()).isEqualTo(tmp.resolve("sft-refusal/model"));
        assertThat(saved.teacher().lambdaFor(true)).isEqualTo(3.0);
        assertThat(saved.teacher().lambdaFor(false)).isEqualTo(1.0);
        assertThat(tmp.resolve("s/model/model.safetensors")).isRegularFile();
    }

    @Test
    void noTeacherCacheTrainsWithTheTeachersRunPerBatch() {
        StringWriter err = new StringWriter();
        List<String> a = common();
        a.addAll(List.of("--out", tmp.resolve("live").toString(), "--no-teacher-cache"));
        a.add(0, "completion");
        assertThat(train(err, a.toArray(String[]::new))).as(err.toString()).isZero();
        assertThat(tmp.resolve("live/model/model.safetensors")).isRegularFile();
        assertThat(CompletionTrainer.savedConfig(tmp.resolve("live")).recomputeTeacher()).isTrue();
        assertThat(Jsonl.readJson(tmp.resolve("live/result.json")).get("cacheSeconds").asDouble()).isZero();
    }

    @Test
    void badInputIsOneClearMessage() {
        StringWriter err = new StringWriter();
        List<String> a = common();
        a.add(0, "completion");
        assertThat(train(err, a.toArray(String[]::new))).isEqualTo(2);
        assertThat(err.toString()).contains("pass --out DIR");
        a.addAll(List.of("--out", tmp.resolve("bad").toString(), "--penalty", "l1"));
        assertThat(train(err, a.toArray(String[]::new))).isEqualTo(2);
        assertThat(err.toString()).contains("unknown --penalty l1");
        // other models than the organism's need their own data
        String aligned = TrainFixtures.organism().aligned().toString();
        assertThat(train(err, "completion", "--aligned", aligned, "--out", tmp.resolve("x").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("pass --harmful FILE");
        assertThat(train(err, "completion", "--base", aligned, "--out", tmp.resolve("y").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--base was given without --aligned");
    }

    @Test
    void attackFinetuneSavesTheBrokenModel() {
        Path out = tmp.resolve("ft");
        int code = new CommandLine(new AttackFinetuneCommand()).execute("--model", TrainFixtures.organism().aligned().toString(), "--harmful",
                TrainFixtures.harmful().toString(), "--examples", "4", "--steps", "3", "--lr", "1e-3", "--out", out.toString());
        assertThat(code).isZero();
        assertThat(out.resolve("model/model.safetensors")).isRegularFile();
        assertThat(out.resolve("attack.json")).isRegularFile();
    }
}
