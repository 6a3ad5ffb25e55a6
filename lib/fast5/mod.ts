/**
 * FAST5 (HDF5) input and output, through the HDF5 library itself (h5wasm):
 * reading single- and multi-read files as POD5 reads, converting them into a
 * POD5 file, and writing one read as a single-read FAST5 for basecallers
 * that read nothing else (scrappie).
 *
 * @module
 */
export { type ConvertFast5Options, type ConvertFast5Result, convertFast5ToPod5 } from "./convert_fast5.ts";
export { Fast5Error, Fast5FilterError } from "./errors.ts";
export { type Fast5Read, readFast5, VBZ_FILTER_ID } from "./read_fast5.ts";
export {
  type Fast5ReadToWrite,
  SINGLE_READ_FILE_VERSION,
  type WriteFast5Options,
  writeSingleReadFast5,
} from "./write_fast5.ts";
