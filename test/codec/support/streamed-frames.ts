import zstd from "zstd-napi/binding.js";

/**
 * One zstd frame per part, made with the streaming API so that no frame declares its content size (the case a
 * decoder must bound by itself). `cctx` carries any parameters and dictionary the frames need.
 */
export function streamedFrames(cctx: zstd.CCtx, ...parts: Uint8Array[]): Buffer {
  const out: Buffer[] = [];
  const step = (src: Uint8Array, directive: zstd.EndDirective): void => {
    for (;;) {
      const dst = Buffer.allocUnsafe(zstd.cStreamOutSize());
      const [remaining, produced, consumed] = cctx.compressStream2(dst, src, directive);
      out.push(dst.subarray(0, produced));
      src = src.subarray(consumed);
      if (directive === zstd.EndDirective.end ? remaining === 0 : src.length === 0) return;
    }
  };
  for (const part of parts) {
    // Feeding the data before ending the frame hides its size from zstd: ending in the same call would let it
    // see the whole input and write the size into the header.
    step(part, zstd.EndDirective.continue);
    step(new Uint8Array(0), zstd.EndDirective.end);
  }
  return Buffer.concat(out);
}
