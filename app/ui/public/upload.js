// Enhances the upload form: drag and drop, several files at once, a preview, a progress bar
// and the server's own message per file. Without this script the form posts as usual.
const form = document.getElementById('upload-form')
const input = document.getElementById('file-input')
const dropZone = document.getElementById('drop-zone')
const list = document.getElementById('upload-list')
const PARALLEL = 3

document.documentElement.classList.add('js')

form.addEventListener('submit', event => {
  event.preventDefault()
  uploadAll(input.files)
  form.reset()
})

input.addEventListener('change', () => {
  input.setCustomValidity('')
})

for (const type of ['dragenter', 'dragover']) {
  dropZone.addEventListener(type, event => {
    event.preventDefault()
    dropZone.classList.add('dragging')
  })
}
for (const type of ['dragleave', 'drop']) {
  dropZone.addEventListener(type, () => dropZone.classList.remove('dragging'))
}
dropZone.addEventListener('drop', event => {
  event.preventDefault()
  uploadAll(event.dataTransfer.files)
})

function uploadAll (files) {
  const queue = Array.from(files).map(addRow)
  const next = () => {
    const job = queue.shift()
    if (job) job().finally(next)
  }
  for (let i = 0; i < PARALLEL; i++) next()
}

function addRow (file) {
  const row = document.createElement('li')
  row.className = 'upload'
  const preview = document.createElement('img')
  preview.alt = ''
  preview.width = 64
  preview.height = 64
  if (file.type.startsWith('image/')) {
    preview.src = URL.createObjectURL(file)
    preview.addEventListener('load', () => URL.revokeObjectURL(preview.src), { once: true })
    preview.addEventListener('error', () => preview.classList.add('no-preview'), { once: true })
  }
  const name = document.createElement('span')
  name.className = 'name'
  name.textContent = file.name
  const progress = document.createElement('progress')
  progress.max = 100
  progress.value = 0
  progress.setAttribute('aria-label', `Upload progress of ${file.name}`)
  const status = document.createElement('span')
  status.className = 'status'
  status.textContent = 'Waiting'
  row.append(preview, name, progress, status)
  list.prepend(row)
  return () => {
    status.textContent = 'Uploading'
    return send(file, { row, progress, status })
  }
}

function send (file, ui) {
  return file.size > Number(form.dataset.maxBytes) ? sendDirect(file, ui) : sendThroughService(file, ui)
}

async function sendThroughService (file, ui) {
  const body = new FormData()
  body.append('file', file, file.name)
  const { status, text } = await post(form.action, body, ui.progress, { accept: 'application/json' })
  const reply = parse(text)
  if (status === 201 && reply && reply.id) done(ui, reply)
  else fail(ui, reply && reply.message ? reply.message : failure(status))
}

// Files over the service's own limit (API Gateway caps request bodies) go straight to S3 with a
// presigned POST; the service checks them when they land.
async function sendDirect (file, ui) {
  const granted = await fetch('/uploads', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ filename: file.name, size: file.size, type: file.type })
  }).catch(() => undefined)
  const grant = granted && parse(await granted.text())
  if (!granted || granted.status !== 201 || !grant) {
    fail(ui, grant && grant.message ? grant.message : failure(granted ? granted.status : 0))
    return
  }
  const body = new FormData()
  for (const [name, value] of Object.entries(grant.upload.fields)) body.append(name, value)
  body.append('file', file, file.name)
  const { status } = await post(grant.upload.url, body, ui.progress, {})
  if (status >= 200 && status < 300) done(ui, grant)
  else fail(ui, failure(status))
}

function post (url, body, progress, headers) {
  return new Promise(resolve => {
    const request = new XMLHttpRequest()
    request.open('POST', url)
    for (const [name, value] of Object.entries(headers)) request.setRequestHeader(name, value)
    request.upload.addEventListener('progress', event => {
      if (event.lengthComputable) progress.value = Math.round((event.loaded / event.total) * 100)
    })
    request.addEventListener('load', () => resolve({ status: request.status, text: request.responseText }))
    request.addEventListener('error', () => resolve({ status: 0, text: '' }))
    request.send(body)
  })
}

function failure (status) {
  return status === 0
    ? 'The upload did not reach the server. Check your connection and try again.'
    : `Upload failed (HTTP ${status}).`
}

function done ({ row, progress, status }, image) {
  progress.value = 100
  row.classList.add('done')
  if (image.deleteToken) localStorage.setItem(`delete-token:${image.id}`, image.deleteToken)
  const link = document.createElement('a')
  link.href = `/gallery/${image.id}`
  link.textContent = 'Stored: view'
  status.replaceChildren(link)
}

function fail ({ row, status }, message) {
  row.classList.add('failed')
  status.textContent = message
  status.setAttribute('role', 'alert')
}

function parse (text) {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
