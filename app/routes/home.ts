import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../app.js'
import { html } from '../lib/html.js'
import { renderPage } from '../ui/layout.js'

const MiB = 1024 * 1024

/** The upload page: a plain form that works without JavaScript; upload.js enhances it. */
export default async function homeRoutes (app: FastifyInstance, { config }: AppDeps): Promise<void> {
  const size = (bytes: number) => bytes >= MiB ? `${Math.floor(bytes / MiB)} MiB` : `${bytes} bytes`
  const types = config.allowedTypes.map(type => type.replace('image/', '').toUpperCase()).join(', ')
  const page = renderPage({
    title: 'Upload',
    current: 'upload',
    scripts: ['upload.js'],
    body: html`
<h1>Upload images</h1>
<form id="upload-form" method="post" action="/upload" enctype="multipart/form-data"
      data-max-bytes="${config.maxUploadBytes}" data-max-files="${config.maxFiles}">
  <div id="drop-zone" class="drop-zone">
    <label for="file-input">Choose images</label>
    <input id="file-input" type="file" name="file" accept="${config.allowedTypes.join(',')}" multiple required
           aria-describedby="upload-hint">
    <p id="upload-hint" class="hint">${types}; ${config.maxFiles} at a time,
      <span class="no-js-only">up to ${size(config.maxUploadBytes)} each.</span>
      <span class="js-only">up to ${size(config.maxDirectUploadBytes)} each. You can also drop files here.</span></p>
  </div>
  <button type="submit">Upload</button>
</form>
<ul id="upload-list" class="upload-list" aria-live="polite"></ul>`
  })
  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.type('text/html; charset=utf-8').send(page))
}
