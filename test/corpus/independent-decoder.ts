/**
 * The independent judge of whether a corpus file is an image: Debian's libvips-tools `vips`,
 * whose decoders (libjpeg, libpng, libtiff, libwebp, libnsgif, libheif with libde265 and dav1d,
 * ImageMagick for BMP) are not the ones the service uses for HEIC and BMP, nor the same builds
 * as sharp's for the rest. `vips avg` reads every pixel.
 */
import { execFile } from 'node:child_process'

// Warnings about colour metadata, not pixels: the image still decodes whole.
const HARMLESS_WARNINGS = [/heifload: ignoring nclx profile/]

export interface Verdict { decodes: boolean, detail: string }

/**
 * Decodes cleanly: exit 0 with fail_on=warning and no warning on stderr. vips 8.14 reports a
 * damaged PNG's read error from a worker thread and sometimes still exits 0 (seen 1 run in
 * 30); the warning it prints is reliable, and one worker (VIPS_CONCURRENCY=1) makes it steadier.
 */
export function independentlyDecodes (path: string): Promise<Verdict> {
  // sharp sets VIPSHOME to its own libvips' prefix on load; Debian's vips would then look for
  // its modules (heif, magick) there and know neither HEIF nor BMP.
  const { VIPSHOME: _, ...env } = process.env
  return new Promise((resolve, reject) => {
    execFile('vips', ['avg', `${path}[fail_on=warning]`], { env: { ...env, VIPS_CONCURRENCY: '1' }, timeout: 20_000 }, (err, _stdout, stderr) => {
      if ((err as NodeJS.ErrnoException | null)?.code === 'ENOENT') {
        return reject(new Error('`vips` is missing: install Debian\'s libvips-tools (.ci/run does)'))
      }
      const warnings = stderr.split('\n').filter(line => /WARNING|error/i.test(line) && !HARMLESS_WARNINGS.some(harmless => harmless.test(line)))
      const decodes = !err && warnings.length === 0
      const firstComplaint = warnings[0] ?? stderr.split('\n').find(line => line.trim() && !HARMLESS_WARNINGS.some(harmless => harmless.test(line)))
      resolve({ decodes, detail: decodes ? 'vips decodes it' : (firstComplaint?.trim() ?? `exit ${String(err?.code)}`) })
    })
  })
}
