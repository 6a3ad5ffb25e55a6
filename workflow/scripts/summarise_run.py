"""The workflow's summary: one TSV and one SVG over every file of the run.

Per file: reads and samples encoded and the token file's bits/sample (from
`encode --json`); the SNR of the reconstruction, from `validate`'s
report.json (`overall.pooled.snr_db`, over the reads it sampled) when validate
ran, else from `encode --verify` (`verification.snrDb`, over every read), else
NA; and the median basecall identity of the reconstruction to the real signal
(`overall.identity.bonito.median`) where validate ran Dorado, else NA.
"""

import json
import math
import os
from xml.sax.saxutils import escape

COLUMNS = ("file", "reads", "samples", "bits_per_sample", "snr_db", "snr_source", "basecall_identity")


def _read_json(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError) as error:
        raise ValueError(f"{path}: Cannot read the summary input: {error}") from error


def _encoded(path):
    summary = _read_json(path)
    try:
        return {
            "reads": int(summary["reads"]),
            "samples": int(summary["numSamples"]),
            "bits_per_sample": float(summary["bitsPerSampleFile"]),
            "verify_snr_db": None if summary["verification"] is None else float(summary["verification"]["snrDb"]),
        }
    except (KeyError, TypeError) as error:
        raise ValueError(f"{path}: Cannot read the encode summary: no {error}") from error


def _validated(folder):
    path = os.path.join(folder, "report.json")
    report = _read_json(path)
    try:
        overall = report["overall"]
        identity = overall["identity"]
        return {
            "snr_db": float(overall["pooled"]["snr_db"]),
            "identity": None if identity is None or identity["bonito"]["median"] is None
            else float(identity["bonito"]["median"]),
        }
    except (KeyError, TypeError) as error:
        raise ValueError(f"{path}: Cannot read the validation report: no overall.{error}") from error


def summarise_run(paths, encode_jsons, validate_dirs, tsv, svg):
    """Write `tsv` and `svg` for `paths` (relative, without .pod5), given their outputs in the same order."""
    rows = []
    for index, path in enumerate(paths):
        encoded = _encoded(encode_jsons[index])
        identity = None
        if validate_dirs:
            validated = _validated(validate_dirs[index])
            snr, source, identity = validated["snr_db"], "validate", validated["identity"]
        elif encoded["verify_snr_db"] is not None:
            snr, source = encoded["verify_snr_db"], "verify"
        else:
            snr, source = None, "none"
        rows.append({"file": f"{path}.pod5", **encoded, "snr_db": snr, "snr_source": source, "identity": identity})
    _write(tsv, _tsv(rows))
    _write(svg, _svg(rows))


def _number(value, digits):
    return "NA" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


def _tsv(rows):
    lines = ["\t".join(COLUMNS)]
    for row in rows:
        lines.append("\t".join([
            row["file"],
            str(row["reads"]),
            str(row["samples"]),
            _number(row["bits_per_sample"], 4),
            _number(row["snr_db"], 2),
            row["snr_source"],
            _number(row["identity"], 4),
        ]))
    return "\n".join(lines) + "\n"


ROW_PX, LABEL_PX, BAR_PX, GAP_PX, TOP_PX = 20, 300, 220, 40, 40


def _bars(rows, key, x0, title, unit, digits):
    values = [row[key] for row in rows if row[key] is not None and math.isfinite(row[key])]
    high = max([abs(v) for v in values] + [1e-12])
    parts = [f'<text x="{x0}" y="{TOP_PX - 16}" font-weight="bold">{escape(title)}</text>']
    for i, row in enumerate(rows):
        y = TOP_PX + i * ROW_PX
        value = row[key]
        if value is None or not math.isfinite(value):
            parts.append(f'<text x="{x0}" y="{y + 14}">NA</text>')
            continue
        width = BAR_PX * abs(value) / high
        parts.append(f'<rect x="{x0}" y="{y + 3}" width="{width:.1f}" height="{ROW_PX - 6}" fill="#4477aa"/>')
        parts.append(f'<text x="{x0 + width + 4:.1f}" y="{y + 14}">{value:.{digits}f} {escape(unit)}</text>')
    return parts


def _svg(rows):
    width = LABEL_PX + 2 * (BAR_PX + 80) + GAP_PX
    height = TOP_PX + ROW_PX * len(rows) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="12">',
        f'<text x="4" y="{TOP_PX - 16}" font-weight="bold">file ({len(rows)})</text>',
    ]
    for i, row in enumerate(rows):
        parts.append(f'<text x="4" y="{TOP_PX + i * ROW_PX + 14}">{escape(row["file"])}</text>')
    parts += _bars(rows, "bits_per_sample", LABEL_PX, "token file, bits/sample", "", 3)
    parts += _bars(rows, "snr_db", LABEL_PX + BAR_PX + 80 + GAP_PX, "reconstruction SNR", "dB", 1)
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _write(path, text):
    temp = f"{path}.tmp-{os.getpid()}"
    with open(temp, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temp, path)
