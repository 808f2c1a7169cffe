import type { PublicImage } from '../services/image-items.js'

/** An image as the pages show it: what publicRecord returns (never the token hash). */
export type PageImage = PublicImage

const UNITS = ['bytes', 'KB', 'MB', 'GB']

/** 1.2 MB, 845 KB, 312 bytes: decimal units, as file managers show them. */
export function formatBytes (bytes: number): string {
  let value = bytes
  let unit = 0
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000
    unit += 1
  }
  return unit === 0 ? `${bytes} bytes` : `${value < 10 ? value.toFixed(1) : Math.round(value)} ${UNITS[unit]}`
}

/** image/png -> PNG */
export const formatType = (contentType: string): string => contentType.replace(/^image\//, '').toUpperCase()

export const formatDimensions = (width: number | undefined, height: number | undefined): string =>
  width && height ? `${width}×${height}` : 'unknown size'

/** Server-rendered, so the same for every visitor: UTC, to the minute. */
export const formatTime = (iso: string): string => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`

/** What to show instead of a picture until (or unless) the image has one. */
export function statusLabel (image: PageImage): string {
  switch (image.status) {
    case 'processing': return 'Processing…'
    case 'pending': return 'Uploading…'
    case 'failed': return `Failed: ${image.failureReason ?? 'the image could not be processed'}`
    case 'rejected': return `Rejected: ${image.failureReason ?? 'the upload was not what was announced'}`
    default: return 'No preview'
  }
}

/** Still changing on its own: the image page polls while an image is in one of these. */
export const isUnsettled = (image: PageImage): boolean => image.status === 'processing' || image.status === 'pending'
