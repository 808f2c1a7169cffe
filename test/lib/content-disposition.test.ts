import t from 'tap'
import fc from 'fast-check'
import { contentDisposition, variantFilename } from '../../app/lib/content-disposition.js'

t.test('plain names pass through in both forms', async t => {
  t.equal(contentDisposition('photo.jpg'), 'inline; filename="photo.jpg"; filename*=UTF-8\'\'photo.jpg')
  t.equal(contentDisposition('photo.jpg', 'attachment'), 'attachment; filename="photo.jpg"; filename*=UTF-8\'\'photo.jpg')
})

t.test('quotes, backslashes, percent signs and non-ASCII never reach the quoted name', async t => {
  t.equal(contentDisposition('a"b\\c%41 été 写真.png'),
    'inline; filename="a_b_c_41 ete __.png"; filename*=UTF-8\'\'a%22b%5Cc%2541%20%C3%A9t%C3%A9%20%E5%86%99%E7%9C%9F.png')
  t.equal(contentDisposition('写真'), 'inline; filename="__"; filename*=UTF-8\'\'%E5%86%99%E7%9C%9F')
  t.match(contentDisposition(''), 'filename="image"')
  t.equal(contentDisposition("it's (1)*.png"), 'inline; filename="it\'s (1)*.png"; filename*=UTF-8\'\'it%27s%20%281%29%2A.png', "RFC 8187 has no ' ( ) * in attr-char")
})

t.test('header injection is impossible whatever the name holds', async t => {
  t.notMatch(contentDisposition('a\r\nSet-Cookie: x=1'), /[\r\n]/)
  t.doesNotThrow(() => contentDisposition('lone \ud800 surrogate'), 'lone surrogates do not make encodeURIComponent throw')
  // A header value Node accepts: visible ASCII and spaces, one quoted string, no CR/LF.
  const shape = /^inline; filename="[\x20\x21\x23-\x5b\x5d-\x7e]*"; filename\*=UTF-8''[A-Za-z0-9!#$&+\-.^_`|~%]*$/
  const wellFormed = (name: string) => name.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
  fc.assert(fc.property(fc.string({ unit: 'binary' }), name => {
    const value = contentDisposition(name)
    // filename* carries the name exactly.
    return shape.test(value) && decodeURIComponent(value.split("UTF-8''")[1]!) === wellFormed(name)
  }), { numRuns: 300 })
})

t.test('variant download names keep the base name and take the variant\'s extension', async t => {
  t.equal(variantFilename('holiday.jpg', 'thumb', 'webp'), 'holiday-thumb.webp')
  t.equal(variantFilename('archive.tar.gz', 'display', 'webp'), 'archive.tar-display.webp')
  t.equal(variantFilename('.hidden', 'thumb', 'webp'), '.hidden-thumb.webp')
  t.equal(variantFilename('noext', 'thumb', 'webp'), 'noext-thumb.webp')
})
