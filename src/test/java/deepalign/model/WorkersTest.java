package deepalign.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import deepalign.DeepalignException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

class WorkersTest {
    @Test
    void resultsComeBackInTaskOrderAndNestedWorkRunsInline() throws Exception {
        try (AutoCloseable w = Workers.use(2)) {
            List<Callable<String>> tasks = new ArrayList<>();
            for (int i = 0; i < 9; i++) {
                int n = i;
                tasks.add(() -> {
                    Thread.sleep((9 - n) * 3L); // later tasks finish first
                    List<Integer> inner = Workers.map(List.of(() -> n, () -> n * 10));
                    return n + ":" + inner + ":" + Thread.currentThread().getName();
                });
            }
            List<String> out = Workers.map(tasks);
            for (int i = 0; i < 9; i++) assertThat(out.get(i)).startsWith(i + ":[" + i + ", " + i * 10 + "]:deepalign-worker");
        }
    }

    @Test
    void aFailingTaskFailsTheCallAfterTheOthersFinish() throws Exception {
        try (AutoCloseable w = Workers.use(2)) {
            int[] done = new int[1];
            List<Callable<Integer>> tasks = List.of(() -> {
                throw new DeepalignException("shard 0 broke");
            }, () -> {
                Thread.sleep(50);
                synchronized (done) {
                    done[0]++;
                }
                return 1;
            });
            assertThatThrownBy(() -> Workers.map(tasks)).isInstanceOf(DeepalignException.class).hasMessage("shard 0 broke");
            assertThat(done[0]).isEqualTo(1);
        }
    }

    @Test
    void splitMakesContiguousNearEqualParts() {
        List<Integer> items = List.of(0, 1, 2, 3, 4, 5, 6);
        assertThat(Workers.split(items, 3)).containsExactly(List.of(0, 1), List.of(2, 3), List.of(4, 5, 6));
        assertThat(Workers.split(items, 10)).hasSize(7);
        assertThat(Workers.split(items, 1)).containsExactly(items);
    }

    @Test
    void oneWorkerRunsOnTheCallingThread() throws Exception {
        try (AutoCloseable w = Workers.use(1)) {
            String caller = Thread.currentThread().getName();
            assertThat(Workers.map(List.of(() -> Thread.currentThread().getName(), () -> "x"))).containsExactly(caller, "x");
        }
    }
}
