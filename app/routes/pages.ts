import type { FastifyInstance, FastifyReply } from 'fastify'
import type { AppDeps } from '../app.js'
import { errors } from '../lib/errors.js'
import { html, type SafeHtml } from '../lib/html.js'
import { ID_JSON_PATTERN } from '../lib/keys.js'
import { getImageRecord, listImageRecords, type ImageRecord } from '../services/metadata.js'

/** Minimal server-rendered pages: where a browser form post lands. */
export default async function pageRoutes (app: FastifyInstance, { config, ddb }: AppDeps): Promise<void> {
  app.get('/gallery', {}, async (_request, reply) => {
    const images = await listImageRecords(ddb, config.table, 50)
    return sendPage(reply, 'Gallery', html`
      <h1>Gallery</h1>
      <p><a href="/">Upload more</a></p>
      ${images.length === 0 ? html`<p>No images yet.</p>` : html`<ul>${images.map(image => html`<li>${thumbnail(image)}<a href="/gallery/${image.id}">${image.filename}</a> (${image.contentType}, ${image.width}×${image.height}, ${image.status})</li>`)}</ul>`}`)
  })

  app.get<{ Params: { id: string } }>('/gallery/:id', {
    schema: { params: { type: 'object', properties: { id: { type: 'string', pattern: ID_JSON_PATTERN } } } }
  }, async (request, reply) => {
    const image = await getImageRecord(ddb, config.table, request.params.id)
    if (!image || (image.status as string) === 'deleting') throw errors.notFound('Image')
    return sendPage(reply, image.filename, imageDetails(image))
  })
}

function imageDetails (image: ImageRecord): SafeHtml {
  return html`
    <h1>${image.filename}</h1>
    ${preview(image)}
    <dl>
      <dt>Id</dt><dd>${image.id}</dd>
      <dt>Type</dt><dd>${image.contentType}</dd>
      <dt>Size</dt><dd>${image.size} bytes</dd>
      <dt>Dimensions</dt><dd>${image.width ?? '?'}×${image.height ?? '?'}</dd>
      <dt>SHA-256</dt><dd><code>${image.sha256}</code></dd>
      <dt>Uploaded</dt><dd><time datetime="${image.uploadedAt}">${image.uploadedAt}</time></dd>
    </dl>
    <p><a href="/gallery">All images</a></p>`
}

/** The display variant once processed, else what is happening to the image. */
function preview (image: ImageRecord): SafeHtml {
  const display = image.variants?.display
  if (display) {
    return html`<p><img src="/images/${image.id}/display" alt="${image.filename}" width="${display.width}" height="${display.height}"></p>
    <p><a href="/images/${image.id}/original">Original file</a></p>`
  }
  if (image.status === 'failed') return html`<p>Stored, but it could not be processed: ${image.failureReason ?? 'unknown reason'}</p>`
  if (image.status === 'pending') return html`<p>Waiting for the upload to finish.</p>`
  return html`<p>Stored. Its web versions are being made: reload in a moment.</p>`
}

function thumbnail (image: ImageRecord): SafeHtml {
  const thumb = image.variants?.thumb
  return thumb ? html`<img src="/images/${image.id}/thumb" alt="" width="${thumb.width}" height="${thumb.height}" loading="lazy"> ` : html``
}

function sendPage (reply: FastifyReply, title: string, body: SafeHtml): FastifyReply {
  return reply.type('text/html; charset=utf-8').send(html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title></head><body><main>${body}</main></body></html>`.value)
}
