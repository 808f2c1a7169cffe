/**
 * Re-encodes an uncompressed 4-bit BMP (BITMAPINFOHEADER, bottom-up) as BI_RLE4, which
 * ImageMagick does not write: runs of one palette index per row, end-of-line and end-of-bitmap
 * markers. Used by make-corpus.sh: tsx bmp-rle4.ts in.bmp out.bmp
 */
import { readFileSync, writeFileSync } from 'node:fs'

const [input, output] = process.argv.slice(2)
if (!input || !output) throw new Error('usage: bmp-rle4.ts in.bmp out.bmp')
const bmp = readFileSync(input)
const dataOffset = bmp.readUInt32LE(10)
const width = bmp.readInt32LE(18)
const height = bmp.readInt32LE(22)
if (bmp.readUInt16LE(28) !== 4 || bmp.readUInt32LE(30) !== 0 || height < 0) throw new Error('not an uncompressed bottom-up 4-bit BMP')

const stride = Math.ceil(width / 8) * 4
const encoded: number[] = []
for (let row = 0; row < height; row++) {
  const at = dataOffset + row * stride
  const index = (x: number): number => (bmp[at + (x >> 1)]! >> ((x & 1) ? 0 : 4)) & 15
  for (let x = 0; x < width;) {
    let run = 1
    while (x + run < width && run < 255 && index(x + run) === index(x)) run++
    encoded.push(run, index(x) * 17)
    x += run
  }
  encoded.push(0, 0)
}
encoded.push(0, 1)

const header = Buffer.from(bmp.subarray(0, dataOffset))
const pixels = Buffer.from(encoded)
header.writeUInt32LE(2, 30) // BI_RLE4
header.writeUInt32LE(pixels.length, 34)
header.writeUInt32LE(dataOffset + pixels.length, 2)
writeFileSync(output, Buffer.concat([header, pixels]))
