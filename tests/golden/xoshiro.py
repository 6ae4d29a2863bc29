#!/usr/bin/env python3
"""Independent reference for runway's random streams (src/rng.rs), used to
derive the golden numbers pinned in tests/it/engine.rs. Written from the
published algorithms (FNV-1a 64, SplitMix64's finaliser, Xoshiro256++ by
Blackman & Vigna), not from runway's code.

Usage: python3 tests/golden/xoshiro.py
"""
M = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
STREAM_VERSION = 1

def fnv1a(s):
    h = 0xcbf29ce484222325
    for b in s.encode():
        h ^= b
        h = (h * 0x100000001b3) & M
    return h

def mix(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    return z ^ (z >> 31)

def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & M

def stream(seed, run, key):
    w0 = mix(seed ^ ((STREAM_VERSION * GOLDEN) & M))
    w1 = mix(run ^ w0)
    w2 = mix(key ^ w1)
    w3 = mix(w2 ^ GOLDEN)
    return [w0, w1, w2, w3]

def next_u64(s):
    result = (rotl((s[0] + s[3]) & M, 23) + s[0]) & M
    t = (s[1] << 17) & M
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]
    s[2] ^= t
    s[3] = rotl(s[3], 45)
    return result

def uniform01(s):
    # rand's StandardUniform for f64: 53 high bits times 2^-53.
    return (next_u64(s) >> 11) * 2.0 ** -53

if __name__ == "__main__":
    key = fnv1a("pricing.price")
    print("key_of(pricing.price) =", hex(key))
    print("first u64 of stream(42, 0, key) =", hex(next_u64(stream(42, 0, key))))
    for run in range(3):
        # price = { dist = "uniform", min = 10, max = 30 }: 10 + 20·u
        print(f"run {run}: price = {10 + 20 * uniform01(stream(42, run, key))!r}")
