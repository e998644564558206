/**
 * A zstd frame that holds bytes as they are (raw blocks, RFC 8878 §3.1.1). Any zstd decoder reads it, and a frame
 * before or after another decodes as one stream with it; making one costs a copy, where `Bun.zstdCompressSync` sets
 * up a compression context per call (~10 µs) even for a few hundred bytes.
 */
export function storedZstdFrame(bytes: Uint8Array): Uint8Array {
  const blocks = Math.max(1, Math.ceil(bytes.byteLength / MAX_BLOCK))
  const out = new Uint8Array(HEADER_BYTES + blocks * BLOCK_HEADER_BYTES + bytes.byteLength)
  const view = new DataView(out.buffer)
  view.setUint32(0, MAGIC, true)
  // Single segment (the window is the content) with a 4-byte content size; no checksum, no dictionary.
  out[4] = 0b1010_0000
  view.setUint32(5, bytes.byteLength, true)
  let at = HEADER_BYTES
  for (let block = 0; block < blocks; block++) {
    const chunk = bytes.subarray(block * MAX_BLOCK, (block + 1) * MAX_BLOCK)
    // Block header, 3 bytes little-endian: size << 3 | type (0: raw) << 1 | last.
    const header = (chunk.byteLength << 3) | (block === blocks - 1 ? 1 : 0)
    out[at] = header & 0xff
    out[at + 1] = (header >> 8) & 0xff
    out[at + 2] = (header >> 16) & 0xff
    out.set(chunk, at + BLOCK_HEADER_BYTES)
    at += BLOCK_HEADER_BYTES + chunk.byteLength
  }
  return out
}

const MAGIC = 0xfd2fb528
/** Magic number, frame header descriptor, content size. */
const HEADER_BYTES = 9
const BLOCK_HEADER_BYTES = 3
const MAX_BLOCK = 128 * 1024
