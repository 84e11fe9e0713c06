"""One entry of the per-file cache found in the document's text (`Cache._entry`), without
decoding the whole table: a run after one file changed asks for one or two entries, and the
24k of #16's tree take 50-130 ms to decode. Whatever the keys and entries hold, what it finds
is what the decoded table holds."""

from __future__ import annotations

import json
import os

from hypothesis import example, given, settings
from hypothesis import strategies as st

from flake8_ssot.checking import cache as per_file_cache
from flake8_ssot.config import load_config

# Names that share text with the document's structure: quotes, separators, a key's own
# spelling inside another name, escapes, characters of several bytes.
PIECES = ["src/app/a.py", "b.py", '"', '":', ",", "{", "}", "[", "]", ":", "\\", "é", "\u2028", " ", "files",
          '"files":', 'x.py":[1', "\\u0073"]
NAMES = st.lists(st.sampled_from(PIECES), min_size=1, max_size=4).map("".join)


def _entries(names: list[str], draw_kind) -> dict[str, object]:
    entries: dict[str, object] = {}
    for number, name in enumerate(names):
        kind = draw_kind(number)
        if kind == 0:  # clean
            entries[name] = [1, 2, "d" * 8, 3, [], None]
        elif kind == 1:  # with dependencies naming other files (strings a key could be mistaken for)
            entries[name] = [1, 2, "d", 3, [[0] * 11], "bad", [[other, 5, 6] for other in names]]
        elif kind == 2:  # damaged: the whole decode drops it, and so must the search
            entries[name] = [1, 2, 3]
        else:  # long: past the search's first window
            entries[name] = [1, 2, "d", 3, [[n] * 11 for n in range(1500)], None]
    return entries


def _cache(tmp_path, text: str) -> per_file_cache.Cache:
    config = load_config(str(tmp_path / "pyproject.toml"))
    cache = per_file_cache.Cache(str(tmp_path / "c"), config)
    os.makedirs(os.path.dirname(cache.path), exist_ok=True)
    with open(cache.path, "w", encoding="utf-8") as handle:
        handle.write(text)
    return per_file_cache.Cache(str(tmp_path / "c"), config)


@settings(max_examples=30, deadline=None)
@example(names=['src/app/a.py"b.py'], absent="b.py", kinds=[1] * 6, ascii_only=True)
@example(names=["src/app/a.py", "b.py"], absent="c.py", kinds=[3, 3, 0, 0, 0, 0], ascii_only=True)
@example(names=['src/app/a.py"b.py', "b.py"], absent='"b.py', kinds=[0, 3, 0, 0, 0, 0], ascii_only=True)
@given(names=st.lists(NAMES, min_size=1, max_size=6, unique=True), absent=NAMES,
       kinds=st.lists(st.integers(0, 3), min_size=6, max_size=6), ascii_only=st.booleans())
def test_an_entry_found_in_the_text_is_the_decoded_tables(tmp_path_factory, names, absent, kinds, ascii_only):
    tmp_path = tmp_path_factory.mktemp("entry")
    (tmp_path / "pyproject.toml").write_text('[tool.ssot.legacy]\n"pkg.old" = "pkg.new"\n', encoding="utf-8")
    document = {"format": per_file_cache.FORMAT, "version": per_file_cache.__version__, "strings": ["x"],
                "summaries": {}, "groups": {}, "files": _entries(names, kinds.__getitem__)}
    text = json.dumps(document, separators=(",", ":"), ensure_ascii=ascii_only)
    whole = _cache(tmp_path, text).entries
    for key in [*names, absent]:
        one = _cache(tmp_path, text)
        assert one._entry(key) == whole.get(key), key
    # A document as `Cache.save` writes it is searched, not decoded (unless a key's text, escaped,
    # holds another key's: `a"b.py` and `b.py`).
    if ascii_only and not any('"' in name for name in names):
        one = _cache(tmp_path, text)
        for key in [*names, absent]:
            one._entry(key)
        assert one._entries is None


def test_a_changed_file_of_the_same_size_is_looked_up_without_decoding_the_table(tmp_path):
    """The benchmark's edit (a comment of the same length each time) on a file the cache has an
    entry for: the lookup finds the entry in the text ("verify": only the content can tell)."""
    from flake8_ssot.checking.runner import check_file

    (tmp_path / "pyproject.toml").write_text('[tool.ssot.legacy]\n"pkg.old" = "pkg.new"\n', encoding="utf-8")
    config = load_config(str(tmp_path / "pyproject.toml"))
    writer = per_file_cache.Cache(str(tmp_path / "c"), config)
    for n in range(50):
        path = tmp_path / f"m{n}.py"
        path.write_text(f"import pkg.old  # {n:04d}\n" if n % 7 == 0 else f"import os  # {n:04d}\n", encoding="utf-8")
        writer.store(str(path), os.stat(path), 0, check_file(str(path), config, digest=True))
    writer.save()
    reader = per_file_cache.Cache(str(tmp_path / "c"), config)
    target = tmp_path / "m7.py"
    target.write_text("import pkg.old  # 0099\n", encoding="utf-8")  # same size, new content
    state, _ = reader.lookup(str(target), os.stat(target))
    assert state == "verify"
    assert reader.digest(str(target)) == writer.entries["m7.py"][2]
    assert [d.code for d in reader.result(str(tmp_path / "m14.py")).diagnostics] == ["SSOT001"]
    assert reader._entries is None, "the table was decoded"
    assert reader.entries["m7.py"] == writer.entries["m7.py"]


def test_a_run_that_asks_for_many_entries_decodes_the_table_once(tmp_path, monkeypatch):
    """A run over a part of the tree asks for the entries of the thousands of files outside it
    (`Cache.unseen`): each search of the text may read the whole document, so past `SEARCHES`
    the table is decoded, once (13,500 searches of a 6.6 MB document took 13 s)."""
    (tmp_path / "pyproject.toml").write_text('[tool.ssot.legacy]\n"pkg.old" = "pkg.new"\n', encoding="utf-8")
    names = [f"src/m{n}.py" for n in range(100)]
    document = {"format": per_file_cache.FORMAT, "version": per_file_cache.__version__, "strings": ["x"],
                "summaries": {}, "groups": {}, "files": _entries(names, lambda n: n % 3)}
    text = json.dumps(document, separators=(",", ":"))
    cache = _cache(tmp_path, text)
    searched = []
    original = per_file_cache.Cache._found_entry

    def search(self, key):
        searched.append(key)
        return original(self, key)

    monkeypatch.setattr(per_file_cache.Cache, "_found_entry", search)
    whole = _cache(tmp_path, text).entries
    asked = [*names, *(f"other/{name}" for name in names)]
    assert [cache._entry(key) for key in asked] == [whole.get(key) for key in asked]
    assert len(searched) == per_file_cache.SEARCHES
