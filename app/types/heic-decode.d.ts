// heic-decode 2.1.0 ships no type declarations; this covers what app/processing uses.
declare module 'heic-decode' {
  interface DecodedImage { width: number, height: number, data: Uint8ClampedArray }
  interface HeifImage { width: number, height: number, decode: () => Promise<DecodedImage> }
  interface DecodeInput { buffer: Uint8Array | ArrayBuffer }
  function decode (input: DecodeInput): Promise<DecodedImage>
  namespace decode {
    /** Every image in the file, undecoded: sizes first, pixels on demand. Call dispose() after. */
    function all (input: DecodeInput): Promise<HeifImage[] & { dispose: () => void }>
  }
  export default decode
}
