import t from 'tap'
import sharp from 'sharp'
import { buildTestApp } from '../helpers/build-app.js'
import { startEmbeddedStack } from '../helpers/stand-ins.js'
import { fixture, multipartBody } from '../helpers/multipart.js'
import { listKeys, readObject, scanItems } from '../helpers/inspect.js'
import { attachProcessor } from '../helpers/processing.js'
import { isMarkerRed, pixelAt } from '../helpers/images.js'

const stack = await startEmbeddedStack()
t.teardown(() => stack.close())
const { app, config, clients } = await buildTestApp(t, stack.endpoints)
const processing = attachProcessor(t, stack.s3rver, { config, clients })

const FORMATS = ['image.jpg', 'image.png', 'image.gif', 'image.webp', 'image.avif', 'image.tiff', 'image.bmp', 'image.heic']

// One request with every format: the processor gets one event per original.
const res = await app.inject({
  method: 'POST',
  url: '/upload',
  ...await multipartBody([...FORMATS, 'photo-rotated.jpg'].map(name => ({ filename: name, content: fixture(name) })))
})
t.equal(res.statusCode, 201)
const uploaded = new Map((res.json().images as Array<{ id: string, filename: string, status: string }>).map(image => [image.filename, image]))

t.test('uploads answer processing; the processor makes every image ready', async t => {
  for (const image of uploaded.values()) t.equal(image.status, 'processing', `${image.filename} starts processing`)
  for (const image of uploaded.values()) {
    t.match(await processing.outcomeOf(image.id), { result: 'ready' }, `${image.filename} is ready`)
  }
})

for (const name of FORMATS) {
  t.test(`${name}: WebP thumb and display, never upscaled, colours right, no metadata`, async t => {
    const { id } = uploaded.get(name)!
    const record = (await app.inject({ method: 'GET', url: `/images/${id}` })).json()
    // Decoded sizes: HEIC's header said 64x64 (coded size); its image is 64x48.
    t.match(record, { status: 'ready', width: 64, height: 48, processedAt: String })
    for (const variant of ['thumb', 'display'] as const) {
      const key = `processed/${id}/${variant}.webp`
      t.match(record.variants[variant], { key, width: 64, height: 48, contentType: 'image/webp' })
      const object = await readObject(clients.s3, config.bucket, key)
      t.equal(object.contentType, 'image/webp')
      t.equal(record.variants[variant].size, object.bytes.length, 'the recorded size is the stored size')
      const meta = await sharp(object.bytes).metadata()
      t.match(meta, { format: 'webp', width: 64, height: 48 })
      t.equal(meta.exif, undefined, 'no EXIF')
      t.ok(isMarkerRed(await pixelAt(object.bytes, 2, 2)), 'the top-left marker is red (channel order right)')
      t.notOk(isMarkerRed(await pixelAt(object.bytes, 60, 44)), 'the bottom-right is not')
    }
  })
}

t.test('photo-rotated.jpg: orientation applied, GPS and EXIF gone', async t => {
  const { id } = uploaded.get('photo-rotated.jpg')!
  const original = await sharp(fixture('photo-rotated.jpg')).metadata()
  t.match(original, { width: 640, height: 480, orientation: 6 }, 'the fixture is stored landscape with EXIF orientation 6')
  t.ok(original.exif, 'and carries EXIF (with GPS) in the original')

  const record = (await app.inject({ method: 'GET', url: `/images/${id}` })).json()
  t.match(record, { width: 480, height: 640 }, 'the record gives the displayed, portrait size')
  t.match(record.variants, { display: { width: 480, height: 640 }, thumb: { width: 192, height: 256 } })
  const display = (await readObject(clients.s3, config.bucket, `processed/${id}/display.webp`)).bytes
  const meta = await sharp(display).metadata()
  t.match(meta, { width: 480, height: 640 }, 'portrait')
  t.equal(meta.orientation, undefined, 'no orientation tag left to apply twice')
  t.equal(meta.exif, undefined)
  t.equal(meta.xmp, undefined)
  t.notOk(display.includes('Exif'), 'no EXIF block in the file')
  t.notOk(display.includes('FixtureCam'), 'no camera tags')
  // Rotating 90° clockwise moves the stored top-left marker to the top-right.
  t.ok(isMarkerRed(await pixelAt(display, 476, 3)), 'marker at the top-right')
  t.notOk(isMarkerRed(await pixelAt(display, 3, 3)), 'not at the top-left')
})

t.test('the processor never sets itself off: events for processed/ are ignored', async t => {
  await processing.idle()
  const ignored = processing.logs.filter(line => line.message === 'event ignored').map(line => line.fields['key'] as string)
  t.equal(ignored.filter(key => key.startsWith('processed/')).length, uploaded.size * 2, 'one ignored event per variant written')
  const keys = await listKeys(clients.s3, config.bucket)
  t.equal(keys.length, uploaded.size * 3, 'an original and two variants per image, nothing more')
  const items = await scanItems(clients.ddb, config.table)
  t.ok(items.every(item => item['status'] === 'ready'))
})
