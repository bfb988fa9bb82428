package deepalign.bench;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import deepalign.model.ModelConfig;
import deepalign.report.Table;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A benchmark run as written to JSON: what was measured, on what, and the matmul rate to compare with. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record BenchReport(String benchmark, ModelInfo model, Machine machine, Benchmarks.Matmul matmul,
                          List<Benchmarks.Throughput> results, Map<String, String> flopFormulas) {

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ModelInfo(String source, String arch, int hidden, int layers, int heads, int kvHeads, int headDim,
                            int intermediate, int vocab, boolean tied, String dtype, long parameters,
                            long nonEmbeddingParameters) {
        public static ModelInfo of(String source, ModelConfig c, String dtype) {
            return new ModelInfo(source, c.architecture().modelType(), c.hiddenSize(), c.numLayers(), c.numHeads(),
                    c.numKvHeads(), c.headDim(), c.intermediateSize(), c.vocabSize(), c.tieWordEmbeddings(), dtype,
                    c.parameterCount(), Flops.nonEmbeddingParameters(c));
        }
    }

    public static BenchReport of(String benchmark, ModelInfo model, Machine machine, Benchmarks.Matmul matmul,
                                 List<Benchmarks.Throughput> results) {
        Map<String, String> formulas = new LinkedHashMap<>();
        formulas.put("forward", Flops.FORWARD);
        formulas.put("train", Flops.TRAIN);
        formulas.put("generate", Flops.GENERATE);
        formulas.put("completion", Flops.COMPLETION);
        formulas.put("matmul", "2 * m * k * n");
        return new BenchReport(benchmark, model, machine, matmul, List.copyOf(results), formulas);
    }

    public Table table() {
        Table t = Table.of("workload", "batch", "seq", "new tokens", "tokens/s", "GFLOP/s", "of matmul", "median s")
                .title(String.format(java.util.Locale.ROOT, "bench %s: %s (%,d parameters); float32 matmul %dx%dx%d: %.1f GFLOP/s; %s",
                        benchmark, model.source(), model.parameters(), matmul.m(), matmul.k(), matmul.n(), matmul.gflops(),
                        machine.summary()));
        for (Benchmarks.Throughput r : results) {
            t.row(r.kind(), r.batch(), r.seq(), r.newTokens() == 0 ? null : r.newTokens(), Math.round(r.tokensPerSecond()),
                    String.format(java.util.Locale.ROOT, "%.1f", r.gflops()), Table.pct(r.fractionOfMatmul(matmul)),
                    r.medianSeconds());
        }
        return t;
    }
}
