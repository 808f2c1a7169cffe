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
  return () => send(file, { row, progress, status })
}

function send (file, { row, progress, status }) {
  return new Promise(resolve => {
    const body = new FormData()
    body.append('file', file, file.name)
    const request = new XMLHttpRequest()
    request.open('POST', form.action)
    request.setRequestHeader('accept', 'application/json')
    request.upload.addEventListener('progress', event => {
      if (event.lengthComputable) progress.value = Math.round((event.loaded / event.total) * 100)
    })
    request.addEventListener('load', () => {
      const reply = parse(request.responseText)
      if (request.status === 201 && reply && reply.id) done(row, progress, status, reply)
      else fail(row, status, reply && reply.message ? reply.message : `Upload failed (HTTP ${request.status}).`)
      resolve()
    })
    request.addEventListener('error', () => {
      fail(row, status, 'The upload did not reach the server. Check your connection and try again.')
      resolve()
    })
    status.textContent = 'Uploading'
    request.send(body)
  })
}

function done (row, progress, status, image) {
  progress.value = 100
  row.classList.add('done')
  if (image.deleteToken) localStorage.setItem(`delete-token:${image.id}`, image.deleteToken)
  const link = document.createElement('a')
  link.href = `/gallery/${image.id}`
  link.textContent = 'Stored: view'
  status.replaceChildren(link)
}

function fail (row, status, message) {
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
