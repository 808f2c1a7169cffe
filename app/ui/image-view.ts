import { html, type SafeHtml } from '../lib/html.js'
import { VARIANT_NAMES, type VariantName } from '../lib/variants.js'
import { renderPage } from './layout.js'
import { formatBytes, formatDimensions, formatTime, formatType, isUnsettled, statusLabel, type PageImage } from './format.js'

const VARIANT_LABELS: Record<VariantName, string> = { thumb: 'Thumbnail', display: 'Display size' }

/** Why the last delete attempt failed, shown above the form (never the token sent). */
export interface ImagePageOptions { deleteError?: string }

/** One image: its display version or status, its facts, its files, and how to delete it. */
export function renderImagePage (image: PageImage, { deleteError }: ImagePageOptions = {}): string {
  return renderPage({
    title: image.filename,
    current: 'gallery',
    scripts: ['image-page.js'],
    body: html`
<article class="image-page" data-image-id="${image.id}" data-status="${image.status}">
<h1>${image.filename}</h1>
${preview(image)}
<h2>Details</h2>
<dl>
  <dt>Status</dt><dd>${image.status}</dd>
  <dt>Type</dt><dd>${formatType(image.contentType)}</dd>
  <dt>Dimensions</dt><dd>${formatDimensions(image.width, image.height)}</dd>
  <dt>Size</dt><dd>${formatBytes(image.size)} (${image.size} bytes)</dd>
  <dt>Uploaded</dt><dd><time datetime="${image.uploadedAt}">${formatTime(image.uploadedAt)}</time></dd>
  ${image.processedAt ? html`<dt>Processed</dt><dd><time datetime="${image.processedAt}">${formatTime(image.processedAt)}</time></dd>` : html``}
  ${image.sha256 ? html`<dt>SHA-256</dt><dd><code>${image.sha256}</code></dd>` : html``}
  <dt>Id</dt><dd><code>${image.id}</code></dd>
</dl>
${downloads(image)}
${deleteSection(image, deleteError)}
</article>
<p><a href="/gallery">All images</a></p>`
  })
}

export function renderImageNotFound (): string {
  return renderPage({
    title: 'Image not found',
    current: 'gallery',
    body: html`<h1>Image not found</h1>
<p>There is no image at this address: it may have been deleted. <a href="/gallery">See all images</a>.</p>`
  })
}

function preview (image: PageImage): SafeHtml {
  const display = image.variants?.display
  if (display) {
    return html`<p class="display"><img src="/images/${image.id}/display" alt="${image.filename}" width="${display.width}" height="${display.height}"></p>`
  }
  const hint = isUnsettled(image) ? ' This page updates when it is ready (or reload it).' : ''
  return html`<p id="image-status" class="placeholder status-${image.status}" role="status">${statusLabel(image)}${hint}</p>`
}

function downloads (image: PageImage): SafeHtml {
  const original = image.status === 'pending' || image.status === 'rejected'
    ? html``
    : html`<li><a href="/images/${image.id}/original?download=true">Original</a> <span class="meta">${formatType(image.contentType)}, ${formatDimensions(image.width, image.height)}, ${formatBytes(image.size)}</span></li>`
  const variants = VARIANT_NAMES.flatMap(name => {
    const variant = image.variants?.[name]
    return variant
      ? [html`<li><a href="/images/${image.id}/${name}?download=true">${VARIANT_LABELS[name]}</a> <span class="meta">${formatType(variant.contentType)}, ${formatDimensions(variant.width, variant.height)}, ${formatBytes(variant.size)}</span></li>`]
      : []
  })
  if (original.value === '' && variants.length === 0) return html``
  return html`<h2>Downloads</h2><ul class="downloads">${original}${variants}</ul>`
}

/**
 * Works without JavaScript: the form posts the pasted token. image-page.js takes it over when
 * this browser holds the token (stored at upload) and deletes with DELETE /images/:id instead.
 */
function deleteSection (image: PageImage, error: string | undefined): SafeHtml {
  return html`<section class="delete" aria-labelledby="delete-heading">
<h2 id="delete-heading">Delete</h2>
${error ? html`<p class="error" role="alert">${error}</p>` : html``}
<form id="delete-form" method="post" action="/gallery/${image.id}/delete">
  <p id="delete-hint" class="hint">Deleting removes the original and every version for good. It needs the delete token
    given once at upload: in the upload's JSON response, or in the address the upload form led to (after
    <code>#token=</code>, or after this image's id and a colon when several files were uploaded at once).</p>
  <p id="delete-stored" class="hint" hidden>This browser holds the delete token of this image.</p>
  <p class="token-field"><label for="delete-token">Delete token</label>
    <input id="delete-token" name="token" type="text" autocomplete="off" spellcheck="false" required maxlength="512"
           aria-describedby="delete-hint"></p>
  <button type="submit" class="danger">Delete image</button>
  <p id="delete-message" class="error" role="alert" hidden></p>
</form>
</section>`
}
