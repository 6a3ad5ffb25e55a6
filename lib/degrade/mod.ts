/**
 * The field's lossy anchor: bit trimming ("qts", `slow5tools degrade`),
 * slow5lib's rounding of every sample to a multiple of 2^K, the K slow5tools
 * suggests for a dataset, and whole POD5 files degraded that way.
 *
 * @module
 */
export { degradePod5, type DegradePod5Options, type DegradePod5Result } from "./degrade_pod5.ts";
export { checkQtsBits, MAX_QTS_BITS, MIN_QTS_BITS, qtsRound } from "./qts_round.ts";
export { NO_SUGGESTION, QTS_DATASETS, type QtsDataset, suggestQtsBits } from "./suggest_qts_bits.ts";
