import { html, type SafeHtml } from '../lib/html.js'
import { renderPage } from './layout.js'
import { formatDimensions, formatTime, formatType, statusLabel, type PageImage } from './format.js'

export interface GalleryPage {
  images: PageImage[]
  nextCursor?: string | undefined
  /** The page size asked for, kept in the next page's link when it is not the default. */
  limit?: number | undefined
  /** Not the first page: offer a way back to the newest images. */
  paged: boolean
  /** After a delete: say it worked. */
  deleted: boolean
}

/** The gallery, newest first; plain links and images, so it works without JavaScript. */
export function renderGallery ({ images, nextCursor, limit, paged, deleted }: GalleryPage): string {
  const next = nextCursor && `/gallery?${new URLSearchParams({ ...(limit !== undefined && { limit: String(limit) }), cursor: nextCursor })}`
  return renderPage({
    title: 'Gallery',
    current: 'gallery',
    scripts: ['gallery.js'],
    body: html`
<h1>Gallery</h1>
${deleted ? html`<p class="notice" role="status">The image was deleted.</p>` : html``}
${images.length === 0
  ? html`<p class="empty">${paged ? 'No older images.' : 'No images yet.'} <a href="/">Upload some</a>.</p>`
  : html`<ul class="gallery">${images.map(card)}</ul>`}
${paged || next
  ? html`<nav class="pager" aria-label="Pages">
  ${paged ? html`<a href="/gallery">Newest images</a>` : html``}
  ${next ? html`<a href="${next}" rel="next">Older images</a>` : html``}
</nav>`
  : html``}`
  })
}

function card (image: PageImage): SafeHtml {
  const thumb = image.variants?.thumb
  return html`<li class="card">
  ${thumb
    ? html`<img src="/images/${image.id}/thumb" alt="${image.filename}" width="${thumb.width}" height="${thumb.height}" loading="lazy">`
    : html`<span class="placeholder status-${image.status}">${statusLabel(image)}</span>`}
  <a class="card-link" href="/gallery/${image.id}">${image.filename}</a>
  <span class="meta">${formatType(image.contentType)} · ${formatDimensions(image.width, image.height)}</span>
  <time class="meta" datetime="${image.uploadedAt}">${formatTime(image.uploadedAt)}</time>
</li>`
}
