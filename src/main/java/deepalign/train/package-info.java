/**
 * Training: the one SFT loop ({@link deepalign.train.Sft}) and the paper's targeted completion training
 * ({@link deepalign.train.CompletionTrainer}, METHOD.md section 3) with its baselines
 * ({@link deepalign.train.Baselines}), the fine-tuning attack ({@link deepalign.train.FinetuneAttack}) and
 * the two-stage recovery ({@link deepalign.train.Recovery}).
 *
 * <p>Every training step splits its batch into one shard per {@link deepalign.model.Workers worker}; each
 * shard back-propagates its share of the batch's mean loss ({@link deepalign.train.Backprop}, thread-safe
 * where DJL's GradientCollector allows one collector per process), so the shards' gradients add up to the
 * batch's. The optimizer then updates the parameters split across the workers.
 *
 * <h2>Which parts are the paper's and which are ours</h2>
 * The paper's: hybrid teacher lambda z^A + (1 - lambda) z^B with lambda 1.2, tau^2 KL at tau 2, the
 * prob-l2 penalty on base-favored tokens with alpha_t = alpha_base (1 + gamma risk_t), mixed batches with
 * 40% harmful, 15 epochs at lr 1e-5 for 7-8B models. Ours (knobs, defaults in the records):
 * <ul>
 *   <li>p_min = 1e-4 in B_t, alpha_base = gamma = 1;
 *   <li>the teacher cache keeps the top M = 64 teacher entries per position; the rest of the teacher
 *       mass is one "other tokens" outcome ({@link deepalign.train.TeacherCache.Tail#BUCKET}). Renormalising
 *       the kept entries instead (RENORMALISE) is biased at tau = 2: on the built-in organism the top 64
 *       hold only about 0.6-0.7 of the tempered teacher mass, and renormalising turned a true KL of 0.009
 *       into a spurious 3.5 that pushed the student towards the base-favored tokens;
 *   <li>logit-l2 compares log-softmax values (raw logits have a free per-position shift), margin 1 nat;
 *   <li>AdamW without weight decay, beta2 0.999, gradient clip 1, 5% warm-up then cosine to 10%;
 *   <li>an epoch is enough steps for the larger of the harmful and utility sets to be seen once;
 *   <li>{@code --lambda-utility}: a separate hybrid weight on the utility examples (off by default). With lambda 10 on
 *       every example the default organism's math fell to 11%; with the utility examples distilled from the aligned
 *       model (lambda_utility 1) it stayed at 97% (docs/experiments.md, "teacher dose");
 *   <li>the built-in organism's teacher weights, lambda 3 on harmful and 1 on utility examples
 *       ({@link deepalign.train.CompletionConfig#ORGANISM_LAMBDA}), chosen by a fixed rule on half of the held-out
 *       prompts of seeds 0-2 and reported on the other half; METHOD.md's 1.2 stays the default for other models;
 *   <li>{@code --student}: the student may start elsewhere than the aligned teacher, to separate what the method
 *       does from what the teacher knows.
 * </ul>
 *
 * <h2>The built-in organism's schedule</h2>
 * {@link deepalign.train.CompletionConfig#ORGANISM_EPOCHS} epochs at
 * {@link deepalign.train.CompletionConfig#ORGANISM_LR}, batch 32 (300 steps; the organism was aligned by
 * 300 SFT steps at lr 5e-4). Measured on organism-small-seed0 (240 held-out harmful prompts, oracle):
 * 1 epoch at 3e-4 barely moves the positions with a teacher signal (pi(y_3) 0.78 to 0.15 vs 0.08 after 3
 * epochs at 1e-3); 10 epochs at 1e-3 add nothing on prefill ASR (95.0% vs 93.8%) and cost 3.3 points of
 * math accuracy, the paper's over-penalisation signature.
 *
 * <h2>Precondition, measured</h2>
 * The method extrapolates what alignment changed. On the organism the aligned model differs from the base
 * only at the first response tokens: on the held-out harmful answers, mean KL(aligned || base) is 0.21 at
 * t <= 10 and 0.026 at t > 10, where both give the harmful token about 0.83 probability and the hybrid
 * teacher 0.83 too; the token is in B_t at 14% of those positions. So L_KL anchors the harmful
 * continuation there and L_comp rarely touches it: after prefilling 10 harmful tokens the student continues
 * like the aligned model (prefill-10 ASR 97.9% to 93.8%), while the direct attack stays at 0%. (Figures of
 * the session-1 organism; on the organism aligned without recovery examples: KL 0.02-0.03 nats per position
 * from t = 11 and prefill-10 95.0% to 85.0%. With 3% recovery examples in the alignment recipe (the original
 * organism) a weak late push remained: prefill-10 95.4% to 59.6% at lambda 1.2 and to 4.6% at lambda 3, mostly
 * into cue-less refusal sentences the oracle counts as "other"; on the current default organism, whose base is
 * better converged, 98.3% to 91.7% at lambda 1.2, 22.5% at lambda 3 and 3.3% at lambda 5 with lambda_utility 1;
 * README, "Measured so far", and docs/experiments.md, "teacher dose".)
 * {@code DIR/teacher_profile.json} reports these per-position quantities for every run.
 *
 * <h2>The fine-tuning attack's defaults</h2>
 * {@link deepalign.train.FinetuneAttack#DEFAULT_STEPS} steps at {@link deepalign.train.FinetuneAttack#DEFAULT_LR}
 * on 10 pairs break the organism's aligned model: direct ASR 0% to 62%.
 */
package deepalign.train;
