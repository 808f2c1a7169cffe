import t from 'tap'
import SwaggerParser from '@apidevtools/swagger-parser'
import { buildTestApp } from '../helpers/build-app.js'
import { startEmbeddedStack } from '../helpers/stand-ins.js'

const stack = await startEmbeddedStack()
t.teardown(() => stack.close())

/** Routes that are pages or assets for browsers, not API. */
const NOT_API = /^\/(gallery|assets|docs|openapi\.json|$)/

t.test('/openapi.json is a valid OpenAPI 3 document listing every API route', async t => {
  const { app } = await buildTestApp(t, stack.endpoints)
  const res = await app.inject({ method: 'GET', url: '/openapi.json' })
  t.equal(res.statusCode, 200)
  const document = res.json()
  t.match(document.openapi, /^3\./)
  await t.resolves(SwaggerParser.validate(structuredClone(document)), 'the document validates')

  const documented = new Set<string>()
  for (const [path, methods] of Object.entries(document.paths as Record<string, object>)) {
    for (const method of Object.keys(methods)) documented.add(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`)
  }
  const registered = registeredRoutes(app.printRoutes({ commonPrefix: false }))
  const api = registered.filter(route => !NOT_API.test(route.split(' ')[1]!))
  // Exactly the app's own API routes: none undocumented, none documented that the app lacks.
  t.same([...documented].sort(), [...new Set(api)].sort(), 'the document lists exactly the registered API routes')
  t.match(document.paths['/upload'].post.requestBody.content, { 'multipart/form-data': Object })
})

/** Reads Fastify's route tree ("└── upload (POST)", four characters per level) into "METHOD /path" lines. */
function registeredRoutes (tree: string): string[] {
  const parents: string[] = []
  return tree.split('\n').flatMap(line => {
    const match = /^([└├│─ ]*)(\S+) \(([A-Z, ]+)\)$/.exec(line)
    if (!match) return []
    const depth = match[1]!.length / 4
    parents.length = depth
    const path = parents.join('') + match[2]!
    parents.push(match[2]!)
    return match[3]!.split(', ').filter(method => method !== 'HEAD').map(method => `${method} ${path.replace('//', '/')}`)
  })
}

t.test('/docs is a readable page of every operation', async t => {
  const { app } = await buildTestApp(t, stack.endpoints)
  const res = await app.inject({ method: 'GET', url: '/docs' })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^text\/html/)
  t.match(res.body, '<code>POST /upload</code>')
  t.match(res.body, '<code>POST /uploads</code>')
  t.match(res.body, 'href="/openapi.json"')
})
