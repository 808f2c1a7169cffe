import t from 'tap'
import { isBinaryResponse } from '../../app/lib/binary-response.js'

const encoded = (headers: Record<string, string>) => isBinaryResponse({ headers })

t.test('images and other non-text bodies are base64-encoded for API Gateway', async t => {
  for (const type of ['image/jpeg', 'image/webp', 'image/avif', 'image/svg+xml', 'application/octet-stream', 'application/pdf', 'font/woff2']) {
    t.equal(encoded({ 'content-type': type }), true, type)
  }
})

t.test('text bodies go as text', async t => {
  for (const type of ['application/json; charset=utf-8', 'text/html; charset=utf-8', 'text/css; charset=utf-8', 'text/javascript; charset=utf-8', 'application/problem+json', 'application/xml', 'Application/JSON']) {
    t.equal(encoded({ 'content-type': type }), false, type)
  }
})

t.test('a compressed body is binary whatever its type; identity is not compression', async t => {
  t.equal(encoded({ 'content-type': 'application/json', 'content-encoding': 'br' }), true)
  t.equal(encoded({ 'Content-Type': 'text/html', 'Content-Encoding': 'gzip' }), true)
  t.equal(encoded({ 'content-type': 'application/json', 'content-encoding': 'identity' }), false)
})

t.test('a response without a body type (redirect, 204, 304) is not encoded', async t => {
  t.equal(encoded({ location: '/gallery' }), false)
})
