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
  ['emoji 🐱.gif', 'emoji 🐱.gif']
]

for (const [raw, expected] of cases) {
  t.equal(sanitizeFilename(raw), expected, JSON.stringify(raw))
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
