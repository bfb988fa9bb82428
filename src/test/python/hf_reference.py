#!/usr/bin/env python3
"""An independent reference for deepalign's transformer: Hugging Face checkpoints read and run in plain PyTorch.

Written from the semantics of transformers' modeling_llama.py / modeling_qwen2.py / modeling_mistral.py (eager
attention): RMSNorm over float32, rotate_half RoPE with the llama3 frequency rescaling, grouped-query attention by
repeat_kv, Mistral's sliding window, SwiGLU MLP, tied or untied LM head, Qwen2's q/k/v biases and Llama's attention_bias. It shares no code
with deepalign (its own safetensors reader and writer too), and computes in float64, so that what it disagrees
with is deepalign's reading of the format or of the architecture, not rounding.

Usage:
  hf_reference.py fixtures OUT_DIR        write the test fixtures (tiny random checkpoints + expected logits)
  hf_reference.py logits MODEL_DIR IDS... print the float64 logits of each sequence (IDS like 3,9,4) as JSON

Needs python3 with torch and numpy (Debian: apt-get install python3-torch).
"""
import json
import math
import os
import struct
import sys

import numpy as np
import torch

# ---- safetensors: 8-byte little-endian header length, a JSON header, then the raw little-endian tensor bytes ----

DTYPES = {"F32": (np.float32, 4), "F16": (np.float16, 2), "BF16": (np.uint16, 2)}


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    body = raw[8 + n:]
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        np_type, _ = DTYPES[meta["dtype"]]
        start, end = meta["data_offsets"]
        a = np.frombuffer(body[start:end], dtype=np_type)
        if meta["dtype"] == "BF16":  # bfloat16 is the upper half of a float32
            a = (a.astype(np.uint32) << 16).view(np.float32)
        out[name] = torch.from_numpy(a.astype(np.float64).reshape(meta["shape"]))
    return out


def to_bytes(t, dtype):
    a = t.detach().to(torch.float32).numpy()
    if dtype == "F32":
        return a.astype("<f4").tobytes()
    if dtype == "F16":
        return a.astype("<f2").tobytes()
    # bfloat16 by round-to-nearest-even on the float32 bits, as torch does
    bits = a.astype("<f4").view(np.uint32).astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    return rounded.astype("<u2").tobytes()


def write_safetensors(path, tensors, dtype):
    header, chunks, offset = {}, [], 0
    for name in sorted(tensors):
        b = to_bytes(tensors[name], dtype)
        header[name] = {"dtype": dtype, "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(b)]}
        chunks.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(chunks))


def load(model_dir):
    with open(os.path.join(model_dir, "config.json")) as f:
        cfg = json.load(f)
    index = os.path.join(model_dir, "model.safetensors.index.json")
    weights = {}
    if os.path.exists(index):
        with open(index) as f:
            for shard in sorted(set(json.load(f)["weight_map"].values())):
                weights.update(read_safetensors(os.path.join(model_dir, shard)))
    else:
        weights = read_safetensors(os.path.join(model_dir, "model.safetensors"))
    return cfg, weights


# ---- the architecture, as transformers' eager path computes it ----

def inv_freq(cfg, head_dim):
    base = cfg.get("rope_theta", 10000.0)
    inv = 1.0 / (base ** (torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim))
    rs = cfg.get("rope_scaling")
    if not rs or rs.get("rope_type", rs.get("type")) in (None, "default"):
        return inv
    assert rs.get("rope_type", rs.get("type")) == "llama3", rs
    factor, low, high = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"]
    old = rs["original_max_position_embeddings"]
    low_wavelen, high_wavelen = old / low, old / high
    wavelen = 2 * math.pi / inv
    scaled = torch.where(wavelen > low_wavelen, inv / factor, inv)
    smooth = (old / wavelen - low) / (high - low)
    smoothed = (1 - smooth) * scaled / factor + smooth * scaled
    medium = ~(wavelen < high_wavelen) & ~(wavelen > low_wavelen)
    return torch.where(medium, smoothed, scaled)


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def rms_norm(x, w, eps):
    return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def linear(x, w, b=None):
    y = x @ w.T
    return y if b is None else y + b


def forward(cfg, W, ids):
    """Logits [T, V] of one sequence (no padding), float64."""
    hidden, heads = cfg["hidden_size"], cfg["num_attention_heads"]
    kv_heads = cfg.get("num_key_value_heads", heads)
    head_dim = cfg.get("head_dim") or hidden // heads
    eps = cfg.get("rms_norm_eps", 1e-6)
    T = len(ids)
    freqs = torch.outer(torch.arange(T, dtype=torch.float64), inv_freq(cfg, head_dim))
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos(), emb.sin()
    causal = torch.triu(torch.full((T, T), float("-inf"), dtype=torch.float64), diagonal=1)
    window = cfg.get("sliding_window") if cfg.get("model_type") == "mistral" else None
    if window:  # Mistral: a query sees itself and the window - 1 keys before it
        causal = causal + torch.tril(torch.full((T, T), float("-inf"), dtype=torch.float64), diagonal=-window)

    h = W["model.embed_tokens.weight"][torch.tensor(ids)]
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        x = rms_norm(h, W[p + "input_layernorm.weight"], eps)
        a = p + "self_attn."
        q = linear(x, W[a + "q_proj.weight"], W.get(a + "q_proj.bias")).view(T, heads, head_dim).transpose(0, 1)
        k = linear(x, W[a + "k_proj.weight"], W.get(a + "k_proj.bias")).view(T, kv_heads, head_dim).transpose(0, 1)
        v = linear(x, W[a + "v_proj.weight"], W.get(a + "v_proj.bias")).view(T, kv_heads, head_dim).transpose(0, 1)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        # repeat_kv: key/value head j serves query heads j * n_rep ... j * n_rep + n_rep - 1
        n_rep = heads // kv_heads
        k, v = k.repeat_interleave(n_rep, dim=0), v.repeat_interleave(n_rep, dim=0)
        att = torch.softmax(q @ k.transpose(1, 2) * head_dim ** -0.5 + causal, dim=-1)
        out = (att @ v).transpose(0, 1).reshape(T, heads * head_dim)
        h = h + linear(out, W[a + "o_proj.weight"], W.get(a + "o_proj.bias"))
        x = rms_norm(h, W[p + "post_attention_layernorm.weight"], eps)
        m = p + "mlp."
        gate = linear(x, W[m + "gate_proj.weight"])
        h = h + linear(torch.nn.functional.silu(gate) * linear(x, W[m + "up_proj.weight"]), W[m + "down_proj.weight"])
    h = rms_norm(h, W["model.norm.weight"], eps)
    head = W["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings", False) else W["lm_head.weight"]
    return h @ head.T


def greedy(cfg, W, ids, n):
    ids = list(ids)
    for _ in range(n):
        ids.append(int(forward(cfg, W, ids)[-1].argmax()))
    return ids


# ---- fixtures: tiny random checkpoints of each family and what the reference computes on them ----

CASES = {
    # GQA (4 query heads over 2 key/value heads), untied head, float32 weights
    "llama-f32": dict(arch="LlamaForCausalLM", model_type="llama", vocab=61, hidden=32, inter=48, layers=2, heads=4,
                      kv=2, dtype="F32", eps=1e-5, theta=10000.0, tie=False),
    # Llama 3.1's rope scaling (factor 8 over 16 original positions), attention_bias (o_proj too), tied, bfloat16
    "llama3-bf16": dict(arch="LlamaForCausalLM", model_type="llama", vocab=67, hidden=32, inter=64, layers=2, heads=4,
                        kv=1, dtype="BF16", eps=1e-5, theta=500000.0, tie=True, bias="all",
                        rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                      "high_freq_factor": 4.0, "original_max_position_embeddings": 16}),
    # Qwen2: q/k/v biases (no attention_bias key; the family always has them), tied, float16
    "qwen2-f16": dict(arch="Qwen2ForCausalLM", model_type="qwen2", vocab=53, hidden=32, inter=40, layers=2, heads=4,
                      kv=2, dtype="F16", eps=1e-6, theta=1000000.0, tie=True, bias="qkv"),
    # Mistral: head_dim 16 != hidden / heads, a sliding window of 5 (shorter than two of the sequences), sharded
    "mistral-sharded": dict(arch="MistralForCausalLM", model_type="mistral", vocab=59, hidden=32, inter=48, layers=3,
                            heads=4, kv=2, head_dim=16, dtype="F32", eps=1e-5, theta=10000.0, tie=False, shards=3, window=5),
}

SEQUENCES = [[3, 17, 5, 42, 8, 11, 29], [7, 1, 33, 2], [19, 4, 4, 4, 25, 13, 9, 50, 6, 31, 12, 44]]


def random_weights(c, gen):
    hd = c.get("head_dim") or c["hidden"] // c["heads"]
    q, kv, h = c["heads"] * hd, c["kv"] * hd, c["hidden"]

    def rnd(*shape, scale=0.3):
        return torch.randn(*shape, generator=gen, dtype=torch.float64) * scale

    W = {"model.embed_tokens.weight": rnd(c["vocab"], h, scale=1.0), "model.norm.weight": 1 + rnd(h, scale=0.2)}
    if not c["tie"]:
        W["lm_head.weight"] = rnd(c["vocab"], h)
    for i in range(c["layers"]):
        p = f"model.layers.{i}."
        W[p + "input_layernorm.weight"] = 1 + rnd(h, scale=0.2)
        W[p + "post_attention_layernorm.weight"] = 1 + rnd(h, scale=0.2)
        W[p + "self_attn.q_proj.weight"] = rnd(q, h)
        W[p + "self_attn.k_proj.weight"] = rnd(kv, h)
        W[p + "self_attn.v_proj.weight"] = rnd(kv, h)
        W[p + "self_attn.o_proj.weight"] = rnd(h, q)
        if c.get("bias") in ("qkv", "all"):
            W[p + "self_attn.q_proj.bias"] = rnd(q, scale=0.5)
            W[p + "self_attn.k_proj.bias"] = rnd(kv, scale=0.5)
            W[p + "self_attn.v_proj.bias"] = rnd(kv, scale=0.5)
        if c.get("bias") == "all":
            W[p + "self_attn.o_proj.bias"] = rnd(h, scale=0.5)
        W[p + "mlp.gate_proj.weight"] = rnd(c["inter"], h)
        W[p + "mlp.up_proj.weight"] = rnd(c["inter"], h)
        W[p + "mlp.down_proj.weight"] = rnd(h, c["inter"])
    return W


def config_json(c):
    cfg = {"architectures": [c["arch"]], "model_type": c["model_type"], "vocab_size": c["vocab"],
           "hidden_size": c["hidden"], "intermediate_size": c["inter"], "num_hidden_layers": c["layers"],
           "num_attention_heads": c["heads"], "num_key_value_heads": c["kv"], "hidden_act": "silu",
           "rms_norm_eps": c["eps"], "rope_theta": c["theta"], "max_position_embeddings": 128,
           "tie_word_embeddings": c["tie"], "torch_dtype": {"F32": "float32", "F16": "float16", "BF16": "bfloat16"}[c["dtype"]]}
    if "head_dim" in c:
        cfg["head_dim"] = c["head_dim"]
    if c["model_type"] == "llama":
        cfg["attention_bias"] = c.get("bias") == "all"
        cfg["mlp_bias"] = False
    if "rope_scaling" in c:
        cfg["rope_scaling"] = c["rope_scaling"]
    if c["model_type"] == "mistral":
        cfg["sliding_window"] = c.get("window")
    return cfg


def write_fixtures(out):
    for i, (name, c) in enumerate(sorted(CASES.items())):
        d = os.path.join(out, name)
        os.makedirs(d, exist_ok=True)
        W = random_weights(c, torch.Generator().manual_seed(1000 + i))
        cfg = config_json(c)
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(cfg, f, indent=2)
        shards = c.get("shards", 1)
        if shards == 1:
            write_safetensors(os.path.join(d, "model.safetensors"), W, c["dtype"])
        else:
            names, weight_map = sorted(W), {}
            for s in range(shards):
                file = f"model-{s + 1:05d}-of-{shards:05d}.safetensors"
                part = {n: W[n] for n in names[s::shards]}
                write_safetensors(os.path.join(d, file), part, c["dtype"])
                weight_map.update({n: file for n in part})
            with open(os.path.join(d, "model.safetensors.index.json"), "w") as f:
                json.dump({"metadata": {}, "weight_map": weight_map}, f, indent=2)
        # the expected values come from the files as written (rounded to their dtype), read back independently
        cfg, W = load(d)
        expected = {"sequences": SEQUENCES, "logits": [forward(cfg, W, s).tolist() for s in SEQUENCES],
                    "greedy_prompt": SEQUENCES[0][:4], "greedy": greedy(cfg, W, SEQUENCES[0][:4], 8)}
        with open(os.path.join(d, "expected.json"), "w") as f:
            json.dump(expected, f)
        print("wrote", d)


def main(argv):
    if len(argv) >= 2 and argv[0] == "fixtures":
        write_fixtures(argv[1])
    elif len(argv) >= 3 and argv[0] == "logits":
        cfg, W = load(argv[1])
        seqs = [[int(t) for t in s.split(",")] for s in argv[2:]]
        json.dump({"logits": [forward(cfg, W, s).tolist() for s in seqs]}, sys.stdout)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    torch.set_grad_enabled(False)
    main(sys.argv[1:])
