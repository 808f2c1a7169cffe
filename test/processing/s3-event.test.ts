import t from 'tap'
import { decodeEventKey, encodeEventKey, imageObjectOf } from '../../app/processing/s3-event.js'
import { s3EventRecord } from '../helpers/s3-events.js'

const id = '0b68bff1-9d26-4011-8c68-b6bc862c09ef'

t.test('keys are decoded the way S3 encodes them', async t => {
  t.equal(decodeEventKey('originals/my+photo%2B1%C3%A9.jpg'), 'originals/my photo+1é.jpg')
  for (const key of ['a b+c/d%e', 'é/ü', 'originals/x']) t.equal(decodeEventKey(encodeEventKey(key)), key)
})

t.test('only ObjectCreated events for originals/<id> or incoming/<id> in the bucket count', async t => {
  t.same(imageObjectOf(s3EventRecord({ bucket: 'b', key: `originals/${id}` }), 'b'), { bucket: 'b', key: `originals/${id}`, id, stage: 'original', size: 1024 })
  t.same(imageObjectOf(s3EventRecord({ bucket: 'b', key: `originals/${id}`, eventName: 'ObjectCreated:CompleteMultipartUpload' }), 'b'), { bucket: 'b', key: `originals/${id}`, id, stage: 'original', size: 1024 })
  t.same(imageObjectOf(s3EventRecord({ bucket: 'b', key: `incoming/${id}`, eventName: 'ObjectCreated:Post' }), 'b'), { bucket: 'b', key: `incoming/${id}`, id, stage: 'incoming', size: 1024 })
  const ignored = [
    s3EventRecord({ bucket: 'b', key: `originals/${id}`, eventName: 'ObjectRemoved:Delete' }),
    s3EventRecord({ bucket: 'other', key: `originals/${id}` }),
    s3EventRecord({ bucket: 'b', key: `processed/${id}/thumb.webp` }),
    s3EventRecord({ bucket: 'b', key: `originals/${id}/x` }),
    s3EventRecord({ bucket: 'b', key: `incoming/${id}.jpg` }),
    s3EventRecord({ bucket: 'b', key: `uploads/${id}` }),
    s3EventRecord({ bucket: 'b', key: 'originals/../etc' }),
    { ...s3EventRecord({ bucket: 'b', key: '' }), s3: { bucket: { name: 'b' }, object: { key: 'originals/%E0%A4%A' } } }
  ]
  for (const record of ignored) t.ok('ignored' in imageObjectOf(record, 'b'), `${record.eventName} ${record.s3.bucket.name} ${record.s3.object.key}`)
})
