"""Recreate the binary and generated bad inputs of catalogue.toml (run from any folder)."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent
GOOD = '[scenario]\ntitle = "Café"\n[parameters]\nx = 1\n[outputs]\ny = "x"\n'


def main() -> None:
    files = {
        "empty.toml": b"",
        "utf16.toml": GOOD.encode("utf-16"),
        "latin1.toml": GOOD.replace('"Café"', '"t"\nsource = "Café"').encode("latin-1"),
        "binary.toml": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
        "nul.toml": GOOD.replace('x = 1', 'x = 1\x00').encode(),
        "nested_arrays.toml": (GOOD + "deep = " + "[" * 5000 + "]" * 5000 + "\n").encode(),
        "long_expression.toml": GOOD.replace('y = "x"', 'y = "' + " + ".join(["x"] * 2600)
                                             + '"').encode(),
        "deep_expression.toml": GOOD.replace('y = "x"', 'y = "' + "(" * 500 + "x" + ")" * 500
                                             + '"').encode(),
        "cases_latin1.csv": "case,a,note\n1,100,é\n".encode("latin-1"),
        "cases_utf16.csv": "case,a\n1,100\n".encode("utf-16"),
    }
    for name, data in files.items():
        (HERE / name).write_bytes(data)


if __name__ == "__main__":
    main()
