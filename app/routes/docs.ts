import type { FastifyInstance } from 'fastify'
import { html, type SafeHtml } from '../lib/html.js'
import { renderPage } from '../ui/layout.js'

interface Operation {
  summary?: string
  description?: string
  parameters?: Array<{ name: string, in: string, required?: boolean, schema?: { type?: string, pattern?: string } }>
  requestBody?: { content: Record<string, unknown> }
  responses?: Record<string, { description?: string }>
}

/** A readable page of the OpenAPI document, rendered on the server: no script, nothing to load. */
export default async function docsRoutes (app: FastifyInstance): Promise<void> {
  app.get('/docs', { schema: { hide: true } }, async (_request, reply) => {
    const document = app.swagger() as { info: { title: string, description?: string }, paths: Record<string, Record<string, Operation>> }
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => renderOperation(method.toUpperCase(), path, operation)))
    return reply.type('text/html; charset=utf-8').send(renderPage({
      title: 'API',
      body: html`<h1>${document.info.title}: API</h1>
        <p>${document.info.description ?? ''} The machine-readable document is <a href="/openapi.json">/openapi.json</a> (OpenAPI 3).</p>
        ${operations}`
    }))
  })
}

function renderOperation (method: string, path: string, operation: Operation): SafeHtml {
  const parameters = operation.parameters ?? []
  const bodyTypes = Object.keys(operation.requestBody?.content ?? {})
  return html`<section class="operation">
    <h2><code>${method} ${path}</code></h2>
    ${operation.summary ? html`<p><strong>${operation.summary}</strong></p>` : html``}
    ${operation.description ? html`<p>${operation.description}</p>` : html``}
    ${parameters.length > 0
      ? html`<h3>Parameters</h3><ul>${parameters.map(p => html`<li><code>${p.name}</code> (${p.in}${p.required ? ', required' : ''}${p.schema?.type ? `, ${p.schema.type}` : ''})</li>`)}</ul>`
      : html``}
    ${bodyTypes.length > 0 ? html`<h3>Request body</h3><p>${bodyTypes.join(', ')}</p>` : html``}
    <h3>Responses</h3>
    <ul>${Object.entries(operation.responses ?? {}).map(([status, response]) => html`<li><code>${status}</code> ${response.description === 'Default Response' ? '' : response.description ?? ''}</li>`)}</ul>
  </section>`
}
