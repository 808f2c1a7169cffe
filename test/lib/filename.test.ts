import t from 'tap'
import { sanitizeFilename } from '../../app/lib/filename.js'

const cases: Array<[string | undefined, string]> = [
  ['photo.jpg', 'photo.jpg'],
  ['../../etc/passwd', 'passwd'],
  ['..\\..\\windows\\system32\\evil.png', 'evil.png'],
  ['C:\\Users\\me\\Pictures\\cat.png', 'cat.png'],
  ['name\r\nSet-Cookie: x=1.png', 'nameSet-Cookie: x=1.png'],
  ['tab\there.png', 'tabhere.png'],
  ['gpj.\u202Eexe.png', 'gpj.exe.png'],
  ['zero\u200Bwidth.png', 'zerowidth.png'],
  ['.hidden.png', 'hidden.png'],
  ['...', 'unnamed'],
  ['', 'unnamed'],
  [undefined, 'unnamed'],
  ['日本語の写真.jpg', '日本語の写真.jpg'],
  ['Cafe\u0301.png', 'Café.png'],
  ['emoji 🐱.gif', 'emoji 🐱.gif'],
  // Invisible and separator characters a fixed list missed: line and paragraph separators, the
  // Arabic letter mark, word joiner and invisible operators, deprecated format controls, the
  // soft hyphen, and tag characters (which can spell hidden text).
  ['line\u2028break\u2029.png', 'linebreak.png'],
  ['a\u061Cb\u2060c\u2061d\u2062e\u2063f\u2064g.png', 'abcdefg.png'],
  ['de\u206Apre\u206Fcated.png', 'deprecated.png'],
  ['soft\u00ADhyphen.png', 'softhyphen.png'],
  ['tags\u{E0001}\u{E0068}\u{E0069}\u{E007F}\u{E0000}.png', 'tags.png'],
  ['bom\uFEFF.png', 'bom.png'],
  ['next\u0085line.png', 'nextline.png']
]

/** The case's name with every non-ASCII character escaped: a raw U+2028 would break TAP's lines. */
const caseName = (raw: string | undefined): string =>
  JSON.stringify(raw)?.replace(/[^\x20-\x7e]/gu, char => `\\u{${char.codePointAt(0)!.toString(16)}}`) ?? 'undefined'

for (const [raw, expected] of cases) {
  t.equal(sanitizeFilename(raw), expected, caseName(raw))
}

t.test('long names are cut to 255 characters, keeping the extension', async t => {
  const name = sanitizeFilename('a'.repeat(1000) + '.jpeg')
  t.equal(Array.from(name).length, 255)
  t.match(name, /a\.jpeg$/)
})

t.test('long names of astral characters are cut on character boundaries', async t => {
  const name = sanitizeFilename('🐱'.repeat(300))
  t.equal(Array.from(name).length, 255)
  t.notMatch(name, /\uFFFD/)
  t.equal(name, '🐱'.repeat(255))
})

t.test('trailing white space is trimmed', async t => {
  t.equal(sanitizeFilename('photo.png   '), 'photo.png')
  t.equal(sanitizeFilename('photo.png\u00a0'), 'photo.png')
})

t.test('a name of exactly 255 characters is kept whole; the extension is kept up to 16 characters', async t => {
  const exact = 'a'.repeat(251) + '.jpg'
  t.equal(sanitizeFilename(exact), exact)
  const sixteen = '.' + 'x'.repeat(15)
  t.equal(sanitizeFilename('a'.repeat(300) + sixteen), 'a'.repeat(255 - 16) + sixteen, 'a 16-character extension survives the cut')
  const seventeen = '.' + 'x'.repeat(16)
  t.equal(sanitizeFilename('a'.repeat(300) + seventeen), 'a'.repeat(255), 'a longer one is not an extension: the name is cut plainly')
})
