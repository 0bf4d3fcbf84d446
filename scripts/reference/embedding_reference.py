#!/usr/bin/env python3
"""Reference token ids and embeddings for all-MiniLM-L6-v2, computed independently of the Swift code.

Token ids come from Hugging Face `tokenizers` (the Rust BERT normalizer, pre-tokenizer and WordPiece
model, loaded from the model's own tokenizer.json, truncated to 256 tokens in all). Embeddings come
from a plain numpy BERT forward pass, in float64, over the weights of model.safetensors read with the
`safetensors` package: word + position + token-type embeddings, LayerNorm, 6 layers of attention and
GELU (erf) feed-forward, masked mean pooling, L2 normalization. It writes the fixtures the
EmbeddingsTests compare against:
    Tests/EmbeddingsTests/Fixtures/tokenizer_cases.json   [{"text": ..., "ids": [...]}]
    Tests/EmbeddingsTests/Fixtures/embedding_cases.json   [{"text": ..., "embedding": [...]}]

Re-run it (from the repository root; the venv lives outside the repository):
    scripts/install-model.sh
    python3 -m venv /tmp/embref-venv
    /tmp/embref-venv/bin/pip install numpy safetensors tokenizers
    /tmp/embref-venv/bin/python scripts/reference/embedding_reference.py [MODEL_DIR]
MODEL_DIR defaults to $MEMORYHUB_MODEL_DIR, else ~/.local/share/memoryhub/models/all-MiniLM-L6-v2.
"""
import json
import math
import os
import sys

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

MAX_TOKENS = 256
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "Tests", "EmbeddingsTests", "Fixtures")


def model_directory():
    if len(sys.argv) > 1:
        return sys.argv[1]
    default = os.path.expanduser("~/.local/share/memoryhub/models/all-MiniLM-L6-v2")
    return os.environ.get("MEMORYHUB_MODEL_DIR", default)


def load_tokenizer(directory):
    tokenizer = Tokenizer.from_file(os.path.join(directory, "tokenizer.json"))
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    tokenizer.no_padding()
    # The tokenizer.json vocabulary must be vocab.txt's, line number = id, or the ids mean nothing.
    with open(os.path.join(directory, "vocab.txt"), encoding="utf-8") as handle:
        lines = [line.rstrip("\n") for line in handle]
    vocabulary = tokenizer.get_vocab()
    assert len(vocabulary) == len(lines), (len(vocabulary), len(lines))
    assert all(vocabulary[token] == index for index, token in enumerate(lines))
    return tokenizer


def token_ids(tokenizer, text):
    return tokenizer.encode(text).ids


class Bert:
    """BERT encoder in numpy, float64, one sentence at a time (no padding, so no mask needed)."""

    def __init__(self, directory):
        with open(os.path.join(directory, "config.json")) as handle:
            config = json.load(handle)
        self.layers = config["num_hidden_layers"]
        self.heads = config["num_attention_heads"]
        self.hidden = config["hidden_size"]
        self.eps = config["layer_norm_eps"]
        raw = load_file(os.path.join(directory, "model.safetensors"))
        self.w = {}
        for name, tensor in raw.items():
            name = name[len("bert."):] if name.startswith("bert.") else name
            self.w[name] = tensor.astype(np.float64)

    def layer_norm(self, x, prefix):
        mean = x.mean(axis=-1, keepdims=True)
        variance = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
        return (x - mean) / np.sqrt(variance + self.eps) * self.w[prefix + ".weight"] + self.w[prefix + ".bias"]

    def linear(self, x, prefix):
        return x @ self.w[prefix + ".weight"].T + self.w[prefix + ".bias"]

    def embed(self, ids):
        ids = np.asarray(ids)
        n = len(ids)
        x = (self.w["embeddings.word_embeddings.weight"][ids]
             + self.w["embeddings.position_embeddings.weight"][:n]
             + self.w["embeddings.token_type_embeddings.weight"][0])
        x = self.layer_norm(x, "embeddings.LayerNorm")
        head = self.hidden // self.heads
        erf = np.vectorize(math.erf)
        for layer in range(self.layers):
            p = f"encoder.layer.{layer}"
            q = self.linear(x, p + ".attention.self.query").reshape(n, self.heads, head).transpose(1, 0, 2)
            k = self.linear(x, p + ".attention.self.key").reshape(n, self.heads, head).transpose(1, 0, 2)
            v = self.linear(x, p + ".attention.self.value").reshape(n, self.heads, head).transpose(1, 0, 2)
            scores = q @ k.transpose(0, 2, 1) / math.sqrt(head)
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).transpose(1, 0, 2).reshape(n, self.hidden)
            x = self.layer_norm(self.linear(context, p + ".attention.output.dense") + x, p + ".attention.output.LayerNorm")
            h = self.linear(x, p + ".intermediate.dense")
            h = 0.5 * h * (1.0 + erf(h / math.sqrt(2.0)))
            x = self.layer_norm(self.linear(h, p + ".output.dense") + x, p + ".output.LayerNorm")
        pooled = x.mean(axis=0)
        return pooled / np.linalg.norm(pooled)


def tokenizer_texts():
    texts = [
        "", " ", "   \t\n  ", "\n", "\t", "\r\n", "a", "A", "I", ".", "...", "!?", "hello", "Hello, World!",
        "HELLO WORLD", "hElLo WoRlD", "The quick brown fox jumps over the lazy dog.",
        "Don't stop believing; it's 5 o'clock somewhere.",
        "unaffable", "unbelievably", "tokenization", "antidisestablishmentarianism",
        "pneumonoultramicroscopicsilicovolcanoconiosis",
        "supercalifragilisticexpialidocious" * 3,  # 102 chars: one [UNK]
        "a" * 100, "a" * 101, "é" * 100 + "x",
        "naïve café résumé", "Crème brûlée à la française", "Ångström Øresund Straße", "Ölçü ŞİŞLİ İstanbul",
        "Zürich Köln München", "São Paulo, Bogotá, Reykjavík", "ñandú piñata jalapeño", "Dvořák Šťastný Łódź",
        "e\u0301le\u0300ve", "ﬁnance ﬂow", "Ⅻ ① ㎏ ｆｕｌｌｗｉｄｔｈ", "Ｈｅｌｌｏ　Ｗｏｒｌｄ",
        "ΟΔΥΣΣΕΥΣ καλημέρα κόσμε", "Σίσυφος ΣΊΣΥΦΟΣ", "Привет, мир! Как дела?", "Москва ЁЖ",
        "שלום עולם", "مرحبا بالعالم", "नमस्ते दुनिया", "สวัสดีชาวโลก", "Xin chào thế giới",
        "你好，世界！", "我爱自然语言处理", "日本語のテキストです。", "カタカナ と ひらがな", "한국어 텍스트입니다",
        "中文English混合text", "漢字かな交じり文", "𠀀𠀁 extension B ideographs", "㐀㐁 extension A",
        "emoji 😀😃😄 and 👍🏽 and 👨‍👩‍👧‍👦", "🔥🔥🔥", "I ❤️ Swift", "flags 🇺🇸🇯🇵", "☃ ★ ☆ ♠ ♥",
        "price: $100.50 (€92,30) £80 ¥1000", "5% off; 3+4=7; x<y>z; a^b; a|b; ~tilde~; `tick`",
        "email me at john.doe@example.com", "https://example.com/path?query=1&x=y#frag",
        "http://localhost:8080/v1/embeddings", "file:///usr/local/bin/swift", "ftp://ftp.example.org/pub/",
        "C:\\Program Files\\App\\app.exe", "/home/user/.local/share/memoryhub/models",
        "func embed(_ texts: [String]) async throws -> [[Float]]",
        "let x = try await client.execute(request, timeout: .seconds(30))",
        "if (a && b || !c) { return x[i] * y[j]; }", "def f(x): return {k: v for k, v in x.items()}",
        "SELECT * FROM memories WHERE user_id = $1 AND deleted_at IS NULL;",
        "git commit -m \"fix: handle nil\" && git push origin HEAD", "npm install --save-dev @types/node@20.1.0",
        "#include <stdio.h>\nint main(void) { printf(\"%d\\n\", 42); }", "x += 1 // increment",
        "<div class=\"note\">Hello &amp; bye</div>", "{\"key\": [1, 2.5, null, true]}", "snake_case_variable_name",
        "camelCaseVariableName", "SCREAMING_SNAKE_CASE", "kebab-case-identifier", "__init__", "@MainActor",
        "v1.2.3-beta.4+build.5", "192.168.0.1:5432", "::1", "0x7fff_ffff", "3.14159e-10", "1,234,567.89",
        "2026-11-27T05:34:00Z", "+1 (555) 123-4567", "#hashtag @mention", "C++ C# F# .NET",
        "¿Qué? ¡Sí!", "«guillemets» „Anführungszeichen“ “curly” ‘single’", "em—dash en–dash ‐hyphen",
        "ellipsis… bullet • middle·dot", "§ 12 ¶ 3 † ‡", "30°C ± 2° × ÷ ≠ ≤ ≥ ∞ √ π",
        "tab\tseparated\tvalues", "line one\nline two\r\nline three", "non\u00a0breaking\u00a0space",
        "zero\u200bwidth\u200bspace", "soft\u00adhyphen", "ideographic\u3000space", "en\u2002quad\u2003em",
        "line\u2028separator\u2029paragraph", "nul\u0000byte", "replacement\ufffdchar", "bell\u0007 escape\u001b[0m",
        "delete\u007f char", "c1\u0085control\u009fchars", "bom\ufeffmark", "rtl\u200fmark\u200e",
        "vertical\u000btab\u000cform feed", "unit\u001fseparator", "private\ue000use", "variation\ufe0fselector",
        "[CLS] literal [SEP] markers", "hello [MASK] world", "[cls] lowercase [unk]", "[PAD][PAD]",
        "[UNK]", "[ unused ]", "##hash ##prefix", "##", "#", "'quoted'", "\"double\"", "(parenthetical)",
        "ALL CAPS SENTENCE WITH NUMBERS 12345", "MiXeD CaSe WiTh ÄÖÜ", "Title Case Is Common In Headlines",
        "iPhone macOS iOS watchOS", "McDonald's O'Brien", "e.g. i.e. etc. vs.", "U.S.A. U.K.",
        "Mr. Smith went to Washington.", "1st 2nd 3rd 4th", "½ ¼ ¾ ⅓", "x² y³ H₂O", "α β γ δ ε Ω",
        "a-b-c-d-e-f-g", "a.b.c.d.e", "a/b/c/d", "a_b_c_d", "!!!???...", "----", "====", "****",
        "  leading and trailing spaces  ", "multiple     internal     spaces", "MiniLM-L6-v2 all-MiniLM",
        "the user prefers tabs over spaces", "Decision: use PostgreSQL for production, SQLite for dev",
        "Error: connection refused (ECONNREFUSED) at 127.0.0.1:6379", "TypeError: undefined is not a function",
        "fatal: not a git repository (or any of the parent directories): .git",
        "Segmentation fault (core dumped)", "panic: runtime error: index out of range [3] with length 3",
        "The session was ended by the user after 42 minutes.", "Remember: always run make test before pushing.",
        "Pattern: retry with exponential backoff and jitter", "Preference: dark mode, vim keybindings",
        "Use `swift build -c release` for benchmarks.", "TODO(alice): fix the flaky test in RESPTests",
        "unicode\u0301combining at start", "\u0301leading combining mark", "a\u0308\u0301\u0323 stacked",
        "ǅ titlecase digraph", "ß ẞ", "ﬀ ligature", "İi Iı", "ŉ apostrophe n", "K Kelvin sign",
        "Ω ohm sign", "Å angstrom sign", "µ micro sign", "ſ long s", "ϐ ϑ ϕ ϖ", "ᾳ ᾼ iota subscript",
        "Hangul 가각간 jamo 각", "Hiragana ゔ ゛ ゜", "Tamil தமிழ்", "Thai ภาษาไทย", "Georgian ქართული",
        "Armenian Հայերեն", "Amharic አማርኛ", "Mongolian ᠮᠣᠩᠭᠣᠯ", "Tibetan བོད་ཡིག", "Khmer ខ្មែរ",
        "Cherokee ᏣᎳᎩ", "Runic ᚠᚢᚦ", "Gothic 𐌲𐌿𐍄𐌹𐍃𐌺", "math 𝐀𝐁𝐂 𝔸𝔹ℂ", "musical 𝄞",
    ]
    # Longer inputs: truncation to 256 tokens in all, long words, long code.
    texts.append(" ".join(["word"] * 300))
    texts.append(" ".join(f"token{i}" for i in range(200)))
    texts.append("The memory store keeps sessions and memories. " * 40)
    texts.append("x" * 5000)
    texts.append("中" * 400)
    texts.append("!" * 300)
    texts.append("é" * 300)
    texts.append(", ".join(f"item {i}" for i in range(150)))
    texts.append("def f():\n" + "    return g(x, y)\n" * 60)
    texts.append("internationalization " * 100)
    texts.append(" ".join(["pneumonoultramicroscopicsilicovolcanoconiosis"] * 30))
    # Every printable ASCII character, alone and in runs.
    texts.append("".join(chr(c) for c in range(32, 127)))
    texts.append(" ".join(chr(c) for c in range(32, 127)))
    texts.append("".join(chr(c) for c in range(0, 32)))
    # Latin-1 supplement and some punctuation blocks, character by character.
    texts.append(" ".join(chr(c) for c in range(0xA0, 0x180)))
    texts.append("".join(chr(c) for c in range(0x2010, 0x2060)))
    texts.append("".join(chr(c) for c in range(0x3000, 0x3040)))
    texts.append("".join(chr(c) for c in range(0xFF01, 0xFF5F)))
    return texts


def embedding_texts():
    return [
        "",
        "hello",
        "The quick brown fox jumps over the lazy dog.",
        "A fast brown fox leaps over a lazy dog.",
        "The user prefers tabs over spaces in Swift files.",
        "Indent Swift code with tabs rather than spaces, as the user likes.",
        "Decision: use PostgreSQL in production and SQLite for local development.",
        "Error: connection refused (ECONNREFUSED) at 127.0.0.1:6379",
        "Redis was not running, so the cache connection failed.",
        "Always run make test before pushing to main.",
        "The weather in Paris is sunny today.",
        "Stock markets fell sharply after the announcement.",
        "func embed(_ texts: [String]) async throws -> [[Float]]",
        "SELECT * FROM memories WHERE user_id = $1 AND deleted_at IS NULL;",
        "https://example.com/docs/getting-started?lang=en#install",
        "Crème brûlée à la française, naïve café résumé",
        "你好，世界！我爱自然语言处理",
        "emoji 😀 and 👍🏽 in a sentence",
        "ALL CAPS SENTENCE WITH NUMBERS 12345",
        "tab\tseparated\tvalues and a\nnew line",
        "[CLS] literal markers [SEP] inside text",
        "antidisestablishmentarianism pneumonoultramicroscopicsilicovolcanoconiosis",
        "Pattern: retry with exponential backoff and jitter when the server returns 503.",
        "The session ended after the user closed the editor.",
        "Привет, мир! Как дела?",
        "Remember that the API key must never be logged.",
        "The memory store keeps sessions and memories. " * 40,
        " ".join(f"token{i}" for i in range(200)),
        "A cat sits on the mat.",
        "A kitten is sitting on a rug.",
    ]


def cosine(a, b):
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def main():
    directory = model_directory()
    tokenizer = load_tokenizer(directory)
    os.makedirs(FIXTURES, exist_ok=True)

    texts = tokenizer_texts()
    assert len(texts) == len(set(texts)) and len(texts) >= 200, len(texts)
    cases = [{"text": text, "ids": token_ids(tokenizer, text)} for text in texts]
    assert any(len(case["ids"]) == MAX_TOKENS for case in cases)
    with open(os.path.join(FIXTURES, "tokenizer_cases.json"), "w", encoding="utf-8") as handle:
        # One case per line, so that a diff shows which strings changed.
        handle.write("[\n" + ",\n".join(json.dumps(case, ensure_ascii=False) for case in cases) + "\n]\n")

    bert = Bert(directory)
    sentences = embedding_texts()
    vectors = {text: bert.embed(token_ids(tokenizer, text)) for text in sentences}

    # Sanity, without sentence-transformers: paraphrases close, unrelated sentences far apart.
    pairs_close = [
        ("The quick brown fox jumps over the lazy dog.", "A fast brown fox leaps over a lazy dog."),
        ("A cat sits on the mat.", "A kitten is sitting on a rug."),
        ("The user prefers tabs over spaces in Swift files.",
         "Indent Swift code with tabs rather than spaces, as the user likes."),
    ]
    pairs_far = [
        ("The weather in Paris is sunny today.", "SELECT * FROM memories WHERE user_id = $1 AND deleted_at IS NULL;"),
        ("A cat sits on the mat.", "Stock markets fell sharply after the announcement."),
    ]
    for a, b in pairs_close:
        score = cosine(vectors[a], vectors[b])
        print(f"paraphrase  {score:.3f}  {a!r} ~ {b!r}")
        assert score > 0.6, score
    for a, b in pairs_far:
        score = cosine(vectors[a], vectors[b])
        print(f"unrelated   {score:.3f}  {a!r} ~ {b!r}")
        assert score < 0.3, score
    for a, b in pairs_close:
        for c, d in pairs_far:
            assert cosine(vectors[a], vectors[b]) > cosine(vectors[c], vectors[d]) + 0.3

    with open(os.path.join(FIXTURES, "embedding_cases.json"), "w", encoding="utf-8") as handle:
        rows = [{"text": text, "embedding": [round(float(x), 6) for x in vectors[text]]} for text in sentences]
        handle.write("[\n" + ",\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n]\n")
    print(f"wrote {len(cases)} tokenizer cases and {len(sentences)} embeddings to {FIXTURES}")


if __name__ == "__main__":
    main()
