"""Recall lab: measures ranking levers offline on a database that `memoryhub eval --keep` loaded.

The hybrid ranking of SearchEngine is replayed from the database itself: lexical matches and their
BM25 scores come from the same FTS5 index with the same query (SearchText.terms), semantic
similarities from the stored vectors and a numpy MiniLM for the questions (checked against the
stored vectors: cosine 1.0000), reciprocal rank fusion (k = 15, weights 1.5 / 1), the semantic
threshold (0.2) and the superseded factor. With today's parameters it reproduces
`memoryhub eval --mode hybrid` to the third decimal on both files, so a lever can be measured in
seconds here before it is built in Swift.

    scripts/recall-lab/run.sh DB EVAL_FILE            # the ablation table of BENCHMARKS.md
    scripts/recall-lab/run.sh DB EVAL_FILE --only base,neigh=0.3

Levers (each a parameter of `Params`; the table runs each alone):
- fusion: RRF k and lexical weight, or normalised score fusion;
- neighbours: a turn gains `neigh` times the better of its neighbours' fused scores (same session);
- session evidence: a turn gains `sess` times its session's RRF of session-level BM25 (FTS5 over
  the session's whole text) and the session's best cosine;
- query expansion: Rocchio (query vector moved towards the top hits' vectors) and lexical
  pseudo-relevance feedback (a second lexical list of the top hits' most distinctive words);
- time: a turn whose session started inside the window a relative expression of the question
  names ("5 days ago", "last Tuesday", "in March"), resolved against `asked_at`, is boosted;
- sentence windows (`--windows TOP,WORDS`): the best TOP candidates' cosine becomes the best of the
  whole turn's and its sentence windows' (embedded here once, cached next to the database);
- diversity: maximal marginal relevance over the best candidates (`mmr`, `mmr_top`);
- per-user statistics: BM25 with IDF and average length over the user's own memories (`user_idf=1`)
  instead of the whole table's, as FTS5 computes them;
- BM25's parameters (`k1`, `b`: 1.2 and 0.9 as the product; FTS5's bm25() fixes 1.2 and 0.75),
  BM25+ (`bm25_delta`) and Lucene's IDF (`lucene_idf=1`): lexical scores are computed here from
  FTS5's own index (fts5vocab instances and the _docsize lengths, so stemming and statistics are
  FTS5's) with the formula memoryhub_bm25 uses, without the product's pruning of words half the
  memories hold (which moved no eval figure); the results reproduce `memoryhub eval` to the third
  decimal at b 0.9 and at 0.75. English only: the tokenizer here does not space CJK runs. The
  per-user statistics and lexical PRF levers rank their own lists with FTS5's bm25() (b 0.75);
- the semantic threshold and the superseded factor.
"""
import argparse, datetime as dt, gzip, json, math, os, re, sqlite3, sys
from collections import Counter
import numpy as np

STOP = set("""a about after again all also am an and any are as at be been before being both but by can could did do does doing done for from
had has have having he her here hers him his how i if in into is it its just me more most my myself no nor not now of off on
once only or other our ours out over own same she should so some such than that the their theirs them then there these they this those
through to too under until up very was we were what when where which while who whom why will with would you your yours yourself""".split())
WORD = re.compile(r"[^\W_]+", re.UNICODE)


def words(text):
    return [w.lower() for w in WORD.findall(text)]


def terms(text, limit=64):
    """SearchText.terms: distinct lower-cased words without stop words, in order."""
    out, seen = [], set()
    for w in words(text):
        if w not in STOP and w not in seen:
            seen.add(w)
            out.append(w)
            if len(out) == limit:
                break
    return out


def parse_time(text):
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def fts_expression(ts):
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in ts)


# MARK: the questions' vectors (all-MiniLM-L6-v2 in numpy)

class MiniLM:
    def __init__(self, directory):
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer
        from scipy.special import erf
        self.erf = erf
        self.w = {k.removeprefix("bert."): v.astype(np.float32) for k, v in load_file(directory + "/model.safetensors").items()}
        self.tokenizer = Tokenizer.from_file(directory + "/tokenizer.json")
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()

    def _ln(self, x, p):
        m = x.mean(-1, keepdims=True)
        v = ((x - m) ** 2).mean(-1, keepdims=True)
        return (x - m) / np.sqrt(v + 1e-12) * self.w[p + ".weight"] + self.w[p + ".bias"]

    def _lin(self, x, p):
        return x @ self.w[p + ".weight"].T + self.w[p + ".bias"]

    def embed_batch(self, texts, max_length=256, batch=32):
        """embed() of many texts, in batches of similar length padded with an attention mask."""
        ids = []
        for text in texts:
            i = self.tokenizer.encode(text).ids
            ids.append(i if len(i) <= max_length else i[:max_length - 1] + [i[-1]])
        out, w = [None] * len(texts), self.w
        order = np.argsort([len(i) for i in ids])
        for start in range(0, len(order), batch):
            rows = order[start:start + batch]
            b, n = len(rows), max(len(ids[r]) for r in rows)
            tokens = np.zeros((b, n), np.int64)
            mask = np.zeros((b, n), np.float32)
            for j, r in enumerate(rows):
                tokens[j, :len(ids[r])] = ids[r]
                mask[j, :len(ids[r])] = 1
            x = w["embeddings.word_embeddings.weight"][tokens] + w["embeddings.position_embeddings.weight"][:n][None] + w["embeddings.token_type_embeddings.weight"][0]
            x = self._ln(x, "embeddings.LayerNorm")
            padding = (1 - mask)[:, None, None, :] * -1e9
            for layer in range(6):
                p = f"encoder.layer.{layer}."
                q, k, v = (self._lin(x, p + f"attention.self.{name}").reshape(b, n, 12, 32).transpose(0, 2, 1, 3) for name in ("query", "key", "value"))
                a = q @ k.transpose(0, 1, 3, 2) / np.sqrt(32.0) + padding
                a = np.exp(a - a.max(-1, keepdims=True))
                a /= a.sum(-1, keepdims=True)
                x = self._ln(x + self._lin((a @ v).transpose(0, 2, 1, 3).reshape(b, n, 384), p + "attention.output.dense"), p + "attention.output.LayerNorm")
                h = self._lin(x, p + "intermediate.dense")
                h = 0.5 * h * (1 + self.erf(h / np.sqrt(2)))
                x = self._ln(x + self._lin(h, p + "output.dense"), p + "output.LayerNorm")
            e = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
            e /= np.linalg.norm(e, axis=1, keepdims=True)
            for j, r in enumerate(rows):
                out[r] = e[j].astype(np.float32)
        return out

    def embed(self, text, max_length=256):
        ids = self.tokenizer.encode(text).ids
        if len(ids) > max_length:
            ids = ids[:max_length - 1] + [ids[-1]]
        n, w = len(ids), self.w
        x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:n] + w["embeddings.token_type_embeddings.weight"][0]
        x = self._ln(x, "embeddings.LayerNorm")
        for layer in range(6):
            p = f"encoder.layer.{layer}."
            q, k, v = (self._lin(x, p + f"attention.self.{name}").reshape(n, 12, 32).transpose(1, 0, 2) for name in ("query", "key", "value"))
            a = q @ k.transpose(0, 2, 1) / np.sqrt(32.0)
            a = np.exp(a - a.max(-1, keepdims=True))
            a /= a.sum(-1, keepdims=True)
            x = self._ln(x + self._lin((a @ v).transpose(1, 0, 2).reshape(n, 384), p + "attention.output.dense"), p + "attention.output.LayerNorm")
            h = self._lin(x, p + "intermediate.dense")
            h = 0.5 * h * (1 + self.erf(h / np.sqrt(2)))
            x = self._ln(x + self._lin(h, p + "output.dense"), p + "output.LayerNorm")
        e = x.mean(0)
        return (e / np.linalg.norm(e)).astype(np.float32)


# MARK: time expressions (the prototype of the Swift resolver)

NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
           "ten": 10, "eleven": 11, "twelve": 12, "couple": 2, "few": 3, "several": 3}
UNIT_DAYS = {"day": 1, "week": 7, "month": 30.44, "year": 365.25}
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
COUNT = r"(\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|couple|few|several)"


def time_window(question, reference):
    """(start, end) of the span a relative expression names; an event mentioned later than it
    happened, so the window runs to the reference time."""
    s, day = question.lower(), dt.timedelta(days=1)
    midnight = reference.replace(hour=0, minute=0, second=0, microsecond=0)
    m = re.search(COUNT + r"\s+(?:of\s+)?(day|week|month|year)s?\s+ago\b", s)
    if m:
        n = int(m.group(1)) if m.group(1).isdigit() else NUMBERS[m.group(1)]
        slack = {"day": 1.5, "week": 4, "month": 16, "year": 183}[m.group(2)]
        return reference - dt.timedelta(days=n * UNIT_DAYS[m.group(2)] + slack), reference + day
    if re.search(r"\byesterday\b", s):
        return midnight - day, reference + day
    if re.search(r"\b(today|tonight|this morning|this afternoon|this evening)\b", s):
        return midnight, reference + day
    m = re.search(r"\b(?:last|past|previous)\s+" + COUNT + r"?\s*(?:of\s+)?(day|week|month|year)s?\b", s)
    if m:
        n = 1 if not m.group(1) else (int(m.group(1)) if m.group(1).isdigit() else NUMBERS[m.group(1)])
        return reference - dt.timedelta(days=n * UNIT_DAYS[m.group(2)] + 1), reference + day
    m = re.search(r"\b(?:last|this past|on)\s+(" + "|".join(WEEKDAYS) + r")\b", s)
    if m:
        back = (reference.weekday() - WEEKDAYS.index(m.group(1))) % 7 or 7
        return midnight - dt.timedelta(days=back + 1), reference + day
    m = re.search(r"\b(?:in|during|of|since)\s+(" + "|".join(MONTHS) + r")(?:\s+(\d{4}))?\b", s)
    if m:
        month = MONTHS.index(m.group(1)) + 1
        year = int(m.group(2)) if m.group(2) else (reference.year if month <= reference.month else reference.year - 1)
        start = dt.datetime(year, month, 1, tzinfo=reference.tzinfo)
        return start, dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=reference.tzinfo)
    return None


# MARK: the loaded database

class User:
    """One eval case's memories, in turn order: parallel arrays."""

    def __init__(self, db, case):
        self.case, self.user = case, "eval:" + case["id"]
        rows = db.execute(
            "SELECT m.rowid, json_extract(m.metadata, '$.turn_id'), m.embedding, m.superseded_by IS NOT NULL FROM memories m WHERE m.user_id = ?",
            (self.user,)).fetchall()
        by_turn = {r[1]: r for r in rows}
        self.turn_ids, sessions, self.rowids, self.texts, self.started, superseded, vectors = [], [], [], [], [], [], []
        self.session_index = {}
        for s_i, session in enumerate(case["sessions"]):
            self.session_index[session["id"]] = s_i
            for turn in session["turns"]:
                r = by_turn.get(turn["id"])
                if r is None:
                    continue
                self.turn_ids.append(turn["id"])
                sessions.append(s_i)
                self.rowids.append(r[0])
                self.texts.append(turn["content"])
                self.started.append(parse_time(session.get("started_at")))
                superseded.append(bool(r[3]))
                vectors.append(np.frombuffer(r[2], dtype="<f4") if r[2] is not None else np.zeros(384, np.float32))
        self.vectors = np.vstack(vectors)
        self.sessions, self.superseded = np.array(sessions), np.array(superseded)
        self.index_of_row = {rowid: i for i, rowid in enumerate(self.rowids)}
        self.n = len(self.turn_ids)
        self._session_db = None

    def lexical(self, db, query):
        """bm25 scores (higher better) and the match order, from the store's own FTS5 index."""
        ts = terms(query)
        scores, order = np.zeros(self.n), []
        if not ts:
            return scores, order
        rows = db.execute(
            "SELECT memories_fts.rowid, bm25(memories_fts) AS rank FROM memories_fts JOIN memories m ON m.rowid = memories_fts.rowid "
            "WHERE memories_fts MATCH ? AND m.user_id = ? ORDER BY rank LIMIT 10000", (fts_expression(ts), self.user)).fetchall()
        for rowid, rank in rows:
            i = self.index_of_row.get(rowid)
            if i is not None:
                scores[i] = -rank
                order.append(i)
        return scores, order

    def user_lexical(self, db, query):
        """bm25 as in `lexical`, but with this user's statistics alone (IDF and average length
        over the user's own memories): the same indexed text in an in-memory FTS5 table."""
        if getattr(self, "_user_db", None) is None:
            self._user_db = sqlite3.connect(":memory:")
            self._user_db.execute("CREATE VIRTUAL TABLE u USING fts5(text, tokenize = 'porter unicode61 remove_diacritics 2')")
            rows = db.execute(
                "SELECT rowid, content || ' ' || coalesce(summary, '') || ' ' || entities || ' ' || tags FROM memories WHERE user_id = ?",
                (self.user,)).fetchall()
            self._user_db.executemany("INSERT INTO u (rowid, text) VALUES (?, ?)", rows)
        scores, order = np.zeros(self.n), []
        ts = terms(query)
        if ts:
            for rowid, rank in self._user_db.execute("SELECT rowid, bm25(u) AS r FROM u WHERE u MATCH ? ORDER BY r", (fts_expression(ts),)):
                i = self.index_of_row.get(rowid)
                if i is not None:
                    scores[i] = -rank
                    order.append(i)
        return scores, order

    def session_lexical(self, query):
        """bm25 of each session's whole text (FTS5, porter, in memory; IDF over this user's sessions)."""
        count = self.sessions.max() + 1
        if self._session_db is None:
            self._session_db = sqlite3.connect(":memory:")
            self._session_db.execute("CREATE VIRTUAL TABLE s USING fts5(text, tokenize = 'porter unicode61 remove_diacritics 2')")
            docs = [[] for _ in range(count)]
            for i in range(self.n):
                docs[self.sessions[i]].append(self.texts[i])
            self._session_db.executemany("INSERT INTO s (rowid, text) VALUES (?, ?)", [(i + 1, "\n".join(d)) for i, d in enumerate(docs)])
        out = np.zeros(count)
        ts = terms(query)
        if ts:
            for rowid, rank in self._session_db.execute("SELECT rowid, bm25(s) FROM s WHERE s MATCH ?", (fts_expression(ts),)):
                out[rowid - 1] = -rank
        return out


class Data:
    def __init__(self, db_path, eval_path, model_dir):
        with gzip.open(eval_path, "rt") if eval_path.endswith(".gz") else open(eval_path) as f:
            self.cases = [json.loads(line) for line in f if line.strip()]
        self.db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        self.users = [User(self.db, c) for c in self.cases]
        self.questions = [(u, q) for u in self.users for q in u.case["questions"]]
        cache = db_path + ".questions.npy"
        if os.path.exists(cache):
            self.question_vectors = np.load(cache, allow_pickle=True).item()
        else:
            model = MiniLM(model_dir)
            self.question_vectors = {q["id"]: model.embed(q["question"]) for _, q in self.questions}
            np.save(cache, self.question_vectors, allow_pickle=True)
        self.session_lexical = {q["id"]: u.session_lexical(q["question"]) for u, q in self.questions}
        self.cosine = {q["id"]: u.vectors @ self.question_vectors[q["id"]] for u, q in self.questions}
        self._prf = {}
        self._table = None
        self._phrases = {}
        self._tokenizer = None

    # MARK: BM25 with other parameters, from FTS5's own index

    def bm25_table(self):
        """Every row's length in tokens (the varints of memories_fts_docsize), the row count and the
        average length: what FTS5's bm25() reads through xColumnSize, xRowCount, xColumnTotalSize."""
        if self._table is None:
            def tokens(blob):
                total, value = 0, 0
                for i, byte in enumerate(blob):
                    value = (value << 7) | (byte & 0x7F)
                    if not byte & 0x80:
                        total, value = total + value, 0
                return total
            lengths = {rowid: tokens(blob) for rowid, blob in self.db.execute("SELECT id, sz FROM memories_fts_docsize")}
            self._table = (lengths, len(lengths), sum(lengths.values()) / len(lengths))
            self.db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.lab_instances USING fts5vocab(main, memories_fts, instance)")
        return self._table

    def tokenize(self, text):
        """FTS5's tokens of `text` (porter unicode61 remove_diacritics 2), in order."""
        if self._tokenizer is None:
            self._tokenizer = sqlite3.connect(":memory:")
            self._tokenizer.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize = 'porter unicode61 remove_diacritics 2')")
            self._tokenizer.execute("CREATE VIRTUAL TABLE tv USING fts5vocab(t, instance)")
        self._tokenizer.execute("INSERT INTO t (rowid, x) VALUES (1, ?)", (text,))
        tokens = [term for term, in self._tokenizer.execute('SELECT term FROM tv ORDER BY "offset"')]
        self._tokenizer.execute("DELETE FROM t")
        return tokens

    def phrase_stats(self, user, question):
        """For each phrase of the question's lexical query: its table-wide document count and its
        occurrences in each of this user's memories (index into user arrays -> count)."""
        qid = question["id"]
        if qid not in self._phrases:
            self.bm25_table()
            stats = []
            for term in terms(question["question"]):
                tokens = self.tokenize(term)
                if not tokens:
                    continue
                offsets = []
                for token in tokens:
                    by_doc = {}
                    for doc, offset in self.db.execute('SELECT doc, "offset" FROM temp.lab_instances WHERE term = ?', (token,)):
                        by_doc.setdefault(doc, set()).add(offset)
                    offsets.append(by_doc)
                docs = set(offsets[0]).intersection(*offsets[1:])
                counts = {}
                for doc in docs:
                    count = sum(1 for o in offsets[0][doc] if all(o + i in offsets[i][doc] for i in range(1, len(tokens))))
                    if count:
                        counts[doc] = count
                stats.append((len(counts), {user.index_of_row[d]: c for d, c in counts.items() if d in user.index_of_row}))
            self._phrases[qid] = stats
        return self._phrases[qid]

    def own_lexical(self, user, question, k1, b, delta=0.0, lucene_idf=False):
        """BM25 as FTS5 computes it (IDF ln((N - n + 0.5) / (n + 0.5)) floored at 1e-6), with k1 and b;
        `delta` > 0 is BM25+ (Lv and Zhai 2011: delta added to every matching term's frequency part),
        `lucene_idf` Lucene's always-positive IDF ln(1 + (N - n + 0.5) / (n + 0.5))."""
        lengths, rows, average = self.bm25_table()
        scores, matched = np.zeros(user.n), np.zeros(user.n, bool)
        for hits, counts in self.phrase_stats(user, question):
            if lucene_idf:
                idf = math.log(1 + (rows - hits + 0.5) / (hits + 0.5))
            else:
                idf = math.log((rows - hits + 0.5) / (hits + 0.5))
                idf = idf if idf > 0 else 1e-6
            for i, tf in counts.items():
                length = lengths[user.rowids[i]]
                scores[i] += idf * ((tf * (k1 + 1.0)) / (tf + k1 * (1 - b + b * length / average)) + delta)
                matched[i] = True
        found = np.where(matched)[0]
        return scores, list(found[np.argsort(-scores[found], kind="stable")])

    def prf_lexical(self, user, question, top, n_terms):
        """A second lexical list: the question's terms plus the top hits' most distinctive words."""
        key = (question["id"], tuple(top), n_terms)
        if key not in self._prf:
            if not hasattr(user, "document_frequency"):
                user.document_frequency = Counter()
                for text in user.texts:
                    user.document_frequency.update(set(w for w in words(text) if w not in STOP and len(w) > 2))
            tf = Counter(w for i in top for w in words(user.texts[i]) if w not in STOP and len(w) > 2)
            own = set(terms(question["question"]))
            df = user.document_frequency
            best = sorted(((c * math.log(user.n / (1 + df[w])), w) for w, c in tf.items() if w not in own and df[w] > 1), reverse=True)
            self._prf[key] = user.lexical(self.db, " ".join(list(own) + [w for _, w in best[:n_terms]]))
        return self._prf[key]


# MARK: ranking

class Params:
    k, lexical_weight, semantic_weight, threshold, superseded = 15.0, 1.5, 1.0, 0.2, 0.8
    fusion = "rrf"
    neigh = sess = rocchio = prf = time = 0.0
    feedback_hits, prf_terms = 5, 10
    mmr, mmr_top = 0.0, 50
    user_idf = 0.0
    k1, b = 1.2, 0.9
    bm25_delta, lucene_idf = 0.0, 0.0

    def __init__(self, **changes):
        for key, value in changes.items():
            if not hasattr(Params, key):
                raise SystemExit(f"unknown parameter {key}")
            setattr(self, key, type(getattr(Params, key))(value))


def ranks(score, mask):
    r = np.full(len(score), np.inf)
    idx = np.where(mask)[0]
    r[idx[np.argsort(-score[idx], kind="stable")]] = np.arange(1, len(idx) + 1)
    return r


def rank(data, p, user, question):
    qid = question["id"]
    lexical_scores, lexical_order = data.own_lexical(user, question, p.k1, p.b, p.bm25_delta, bool(p.lucene_idf))
    if p.user_idf:
        key = ("user", qid)
        if key not in data._prf:
            data._prf[key] = user.user_lexical(data.db, question["question"])
        lexical_scores, lexical_order = data._prf[key]
    cosine = data.cosine[qid]
    lexical_rank = np.full(user.n, np.inf)
    lexical_rank[lexical_order] = np.arange(1, len(lexical_order) + 1)
    best = (p.lexical_weight + p.semantic_weight) / (p.k + 1)

    def rrf(cos):
        return (p.lexical_weight / (p.k + lexical_rank) + p.semantic_weight / (p.k + ranks(cos, cos >= p.threshold))) / best

    top = None
    if p.rocchio or p.prf:
        top = list(np.argsort(-rrf(cosine), kind="stable")[:p.feedback_hits])
    if p.rocchio:
        moved = data.question_vectors[qid] + p.rocchio * user.vectors[top].mean(0)
        cosine = user.vectors @ (moved / np.linalg.norm(moved))
    semantic_rank = ranks(cosine, cosine >= p.threshold)
    candidates = (lexical_rank < np.inf) | (semantic_rank < np.inf)
    if p.fusion == "rrf":
        score = (p.lexical_weight / (p.k + lexical_rank) + p.semantic_weight / (p.k + semantic_rank)) / best
    else:
        score = p.lexical_weight * lexical_scores / (lexical_scores.max() + 1e-9) \
            + p.semantic_weight * np.clip((cosine - p.threshold) / (cosine.max() - p.threshold + 1e-9), 0, 1)
    if p.prf:
        _, prf_order = data.prf_lexical(user, question, top, p.prf_terms)
        prf_rank = np.full(user.n, np.inf)
        prf_rank[prf_order] = np.arange(1, len(prf_order) + 1)
        score = score + p.prf / (p.k + prf_rank) / best
        candidates |= prf_rank < np.inf
    if p.neigh:
        same_previous = user.sessions == np.r_[-1, user.sessions[:-1]]
        same_next = user.sessions == np.r_[user.sessions[1:], -1]
        neighbours = np.maximum(np.r_[0, score[:-1]] * same_previous, np.r_[score[1:], 0] * same_next)
        score = score + p.neigh * neighbours
        candidates |= score > 0
    if p.sess:
        count = user.sessions.max() + 1
        session_lexical = data.session_lexical[qid]
        session_cosine = np.full(count, -1.0)
        np.maximum.at(session_cosine, user.sessions, cosine)
        session = (p.lexical_weight / (p.k + ranks(session_lexical, session_lexical > 0))
                   + p.semantic_weight / (p.k + ranks(session_cosine, session_cosine > -2))) / best
        score = score + p.sess * session[user.sessions] * candidates
    if p.time and question.get("asked_at"):
        window = time_window(question["question"], parse_time(question["asked_at"]))
        if window:
            inside = np.array([window[0] <= t < window[1] for t in user.started])
            score = score * (1 + p.time * inside)
    score = score * np.where(user.superseded, p.superseded, 1.0)
    order = np.argsort(-score, kind="stable")
    ranked = [i for i in order if candidates[i]]
    if p.mmr and len(ranked) > 1:
        # Maximal marginal relevance (Carbonell & Goldstein 1998) over the best mmr_top: each pick
        # is the candidate whose score, less mmr times its greatest cosine to those already
        # picked, is highest (scores scaled so the best is 1).
        top = ranked[:p.mmr_top]
        similarity = user.vectors[top] @ user.vectors[top].T
        relevance = score[top] / score[top[0]]
        picked, left = [0], list(range(1, len(top)))
        closest = similarity[0].copy()
        while left:
            j = max(left, key=lambda c: relevance[c] - p.mmr * closest[c])
            picked.append(j)
            left.remove(j)
            closest = np.maximum(closest, similarity[j])
        ranked = [top[j] for j in picked] + ranked[p.mmr_top:]
    return ranked


# MARK: sentence windows (measured on the best candidates only: embedding every window is ~4x the
# embedding time of the turns themselves)

SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def sentence_windows(text, max_words):
    """Greedy runs of whole sentences of at most `max_words` words, each overlapping the next by one
    sentence; a text of at most `max_words` words is its own single window."""
    sentences = [x.strip() for x in SENTENCE.split(text) if x and x.strip()]
    counts = [len(x.split()) for x in sentences]
    if sum(counts) <= max_words:
        return [text]
    out, i = [], 0
    while i < len(sentences):
        j, total = i, 0
        while j < len(sentences) and (total + counts[j] <= max_words or j == i):
            total += counts[j]
            j += 1
        out.append(" ".join(sentences[i:j]))
        if j >= len(sentences):
            break
        i = max(i + 1, j - 1)
    return out


def window_lever(data, model_dir, db_path, top, max_words, per_turn=8, blend=1.0):
    """Raises each of the best `top` candidates' cosine towards the best of its windows' cosines,
    by `blend` of the difference (1: the best of the two), with windows embedded once and cached
    next to the database, then measures."""
    import pickle
    cache_path = f"{db_path}.windows-{max_words}.pkl"
    cache = pickle.load(open(cache_path, "rb")) if os.path.exists(cache_path) else {}
    base = Params()
    wanted = {}
    for user, question in data.questions:
        for i in rank(data, base, user, question)[:top]:
            key = (user.user, int(i))
            if key not in cache:
                wanted[key] = sentence_windows(user.texts[i], max_words)[:per_turn]
    texts = [(key, w) for key, ws in wanted.items() if len(ws) > 1 for w in ws]
    if texts:
        print(f"embedding {len(texts)} windows", file=sys.stderr, flush=True)
        vectors = MiniLM(model_dir).embed_batch([w for _, w in texts])
        for (key, _), vector in zip(texts, vectors):
            cache.setdefault(key, []).append(vector)
    for key, ws in wanted.items():
        cache.setdefault(key, [])
    pickle.dump(cache, open(cache_path, "wb"))
    whole = dict(data.cosine)
    for user, question in data.questions:
        cosine = whole[question["id"]].copy()
        vector = data.question_vectors[question["id"]]
        for i in range(user.n):
            found = cache.get((user.user, i))
            if found:
                cosine[i] += blend * max(0.0, max(float(v @ vector) for v in found) - cosine[i])
        data.cosine[question["id"]] = cosine
    result = evaluate(data, base)
    data.cosine = whole
    return result


# MARK: scoring (RetrievalEvaluation.score)

CUTOFFS = (1, 5, 10, 20)


def evaluate(data, p):
    total = {k: 0.0 for k in CUTOFFS}
    categories = {}
    for user, question in data.questions:
        ranked = [user.turn_ids[i] for i in rank(data, p, user, question)[:max(CUTOFFS)]]
        gold = set(question["gold_turn_ids"])
        category = categories.setdefault(question.get("category") or "-", {"n": 0, **{k: 0.0 for k in CUTOFFS}})
        category["n"] += 1
        for k in CUTOFFS:
            recall = len(gold & set(ranked[:k])) / len(gold) if gold else 0
            total[k] += recall
            category[k] += recall
    n = len(data.questions)
    return {k: total[k] / n for k in CUTOFFS}, {name: {k: c[k] / c["n"] for k in CUTOFFS} for name, c in categories.items()}


ABLATION = [
    ("today (k 20, lexical 1.3, superseded x0.8)", {}),
    ("superseded x0.5 (before)", {"superseded": 0.5}),
    ("superseded x1", {"superseded": 1.0}),
    ("RRF k 60, equal weights", {"k": 60, "lexical_weight": 1.0}),
    ("RRF k 20, equal weights", {"lexical_weight": 1.0}),
    ("RRF k 10", {"k": 10}),
    ("score fusion (bm25/max + cosine min-max)", {"fusion": "score", "lexical_weight": 1.0}),
    ("semantic threshold 0.1", {"threshold": 0.1}),
    ("semantic threshold 0.3", {"threshold": 0.3}),
    ("neighbours 0.2", {"neigh": 0.2}),
    ("neighbours 0.3", {"neigh": 0.3}),
    ("session evidence 0.3", {"sess": 0.3}),
    ("session evidence 0.5", {"sess": 0.5}),
    ("Rocchio 0.6 (top 5)", {"rocchio": 0.6}),
    ("lexical PRF 0.6 (top 5, 10 words)", {"prf": 0.6}),
    ("time window x1.2", {"time": 0.2}),
    ("time window x1.5", {"time": 0.5}),
    ("neighbours 0.3 + session 0.3", {"neigh": 0.3, "sess": 0.3}),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("db")
    parser.add_argument("eval_file")
    parser.add_argument("--model-dir", default=os.environ.get("MEMORYHUB_MODEL_DIR", os.path.expanduser("~/.local/share/memoryhub/models/all-MiniLM-L6-v2")))
    parser.add_argument("--only", help="comma-separated rows: base, or name=value[;name=value]")
    parser.add_argument("--windows", metavar="TOP,WORDS[,BLEND]", help="add a row: the best TOP candidates scored by their best sentence window of WORDS words (raised by BLEND of the gain, default 1)")
    args = parser.parse_args()
    data = Data(args.db, args.eval_file, args.model_dir)
    rows = ABLATION
    if args.only:
        rows = []
        for item in args.only.split(","):
            changes = dict(pair.split("=") for pair in item.split(";")) if item != "base" else {}
            rows.append((item, changes))
    names = sorted({q.get("category") or "-" for _, q in data.questions})
    print(f"{os.path.basename(args.eval_file)}: {len(data.questions)} questions\n")
    print("| lever | @1 | @5 | @10 | @20 | " + " | ".join(f"{n} @10" for n in names) + " |")
    print("|---|---|---|---|---|" + "---|" * len(names))
    for label, changes in rows:
        overall, by_category = evaluate(data, Params(**changes))
        print(f"| {label} | " + " | ".join(f"{overall[k]:.3f}" for k in CUTOFFS) + " | "
              + " | ".join(f"{by_category[n][10]:.3f}" for n in names) + " |", flush=True)
    if args.windows:
        parts = args.windows.split(",")
        top, max_words, blend = int(parts[0]), int(parts[1]), float(parts[2]) if len(parts) > 2 else 1.0
        overall, by_category = window_lever(data, args.model_dir, args.db, top, max_words, blend=blend)
        print(f"| sentence windows ({max_words} words, blend {blend}) for the best {top} | " + " | ".join(f"{overall[k]:.3f}" for k in CUTOFFS) + " | "
              + " | ".join(f"{by_category[n][10]:.3f}" for n in names) + " |", flush=True)


if __name__ == "__main__":
    main()
