"""The values a FAST5 → POD5 conversion must give, read with h5py (the
independent reader of tests/fast5/*_test.ts), for the FAST5 files given as
arguments: one JSON object {"reads": [...], "runs": {...}} on stdout.

The mapping is ONT's `pod5 convert fast5` (pod5-file-format
python/pod5/src/pod5/tools/pod5_convert_from_fast5.py), extended as
lib/fast5/_fast5_metadata.ts documents: single-read files, Unix-seconds
exp_start_time, and [0, digitisation - 1] ADC ranges off the MinION.
"""
import datetime
import hashlib
import json
import sys

import h5py
import numpy as np

END_REASONS = ["unknown", "mux_change", "unblock_mux_change", "data_service_unblock_mux_change",
               "signal_positive", "signal_negative", "api_request", "device_data_error",
               "analysis_config_change", "paused"]


def text(value):
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.ndarray) and value.size == 1:
        return text(value.reshape(-1)[0])
    if isinstance(value, (np.integer, int)):
        return str(int(value))
    return str(value)


def attrs_text(group):
    return {} if group is None else {k: text(v) for k, v in group.attrs.items()}


def time_ms(value):
    if value is None:
        return 0
    value = value.strip()
    if value.isdigit():
        return int(value) * 1000
    try:
        parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return 0
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return int(parsed.timestamp() * 1000)


def end_reason(raw):
    if "end_reason" not in raw.attrs:
        return "unknown"
    value = raw.attrs["end_reason"]
    labels = h5py.check_enum_dtype(raw.attrs.get_id("end_reason").dtype)
    if labels is not None:
        label = {v: k for k, v in labels.items()}.get(int(value))
        if label in END_REASONS:
            return label
    code = int(value)
    return END_REASONS[code - 1] if 2 <= code <= len(END_REASONS) else "unknown"


def locations(f):
    keys = [k for k in f.keys() if k.startswith("read_")]
    if keys:
        for k in keys:
            g = f[k]
            yield g, g["Raw"], g["channel_id"], g.get("context_tags"), g.get("tracking_id")
    else:
        u = f["UniqueGlobalKey"]
        for k in f["Raw/Reads"].keys():
            yield None, f["Raw/Reads"][k], u["channel_id"], u.get("context_tags"), u.get("tracking_id")


reads, runs = [], {}
for path in sys.argv[1:]:
    with h5py.File(path, "r") as f:
        for group, raw, channel, context, tracking in locations(f):
            tags, track = attrs_text(context), attrs_text(tracking)
            run_id = text(group.attrs["run_id"]) if group is not None and "run_id" in group.attrs else track["run_id"]
            digitisation = float(channel.attrs["digitisation"])
            rate = int(float(channel.attrs["sampling_rate"]))
            signal = raw["Signal"][()]
            assert signal.dtype == np.int16
            if run_id not in runs:
                minion = digitisation == 8192
                adc_min = -4096 if minion else 0
                runs[run_id] = {
                    "acquisition_id": run_id,
                    "acquisition_start_time_ms": time_ms(track.get("exp_start_time")),
                    "adc_min": adc_min,
                    "adc_max": adc_min + int(digitisation) - 1,
                    "context_tags": tags,
                    "experiment_name": "",
                    "flow_cell_id": track.get("flow_cell_id", ""),
                    "flow_cell_product_code": track.get("flow_cell_product_code", ""),
                    "protocol_name": track.get("exp_script_name", ""),
                    "protocol_run_id": track.get("protocol_run_id", ""),
                    "protocol_start_time_ms": time_ms(track.get("protocol_start_time")),
                    "sample_id": track.get("sample_id", ""),
                    "sample_rate": rate,
                    "sequencing_kit": tags.get("sequencing_kit", ""),
                    "sequencer_position": track.get("device_id", ""),
                    "sequencer_position_type": track.get("device_type", "minion" if minion else "promethion"),
                    "system_name": track.get("host_product_serial_number", ""),
                    "system_type": track.get("host_product_code", ""),
                    "tracking_id": track,
                }
            median = raw.attrs.get("median_before")
            scale = float(channel.attrs["range"]) / digitisation
            reads.append({
                "read_id": text(raw.attrs["read_id"]).lower(),
                "num_samples": int(signal.shape[0]),
                "sample_rate": rate,
                "calibration_offset": float(np.float32(channel.attrs["offset"])),
                "calibration_scale": float(np.float32(scale)),
                "channel": int(text(channel.attrs["channel_number"])),
                "well": int(raw.attrs["start_mux"]),
                "read_number": int(raw.attrs["read_number"]),
                "start_sample": int(raw.attrs["start_time"]),
                "median_before": None if median is None or np.isnan(median) else float(np.float32(median)),
                "end_reason": end_reason(raw),
                "acquisition_id": run_id,
                "signal_sha256": hashlib.sha256(signal.astype("<i2").tobytes()).hexdigest(),
                "scale_f64": scale,
                "median_before_f64": None if median is None or np.isnan(median) else float(median),
                "pore_type": text(group.attrs["pore_type"]) if group is not None and "pore_type" in group.attrs else "not_set",
            })
print(json.dumps({"reads": reads, "runs": runs}))
