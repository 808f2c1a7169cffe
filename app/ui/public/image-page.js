// Enhances the image page: keeps a delete token handed over in the address (#token=...), deletes
// with the token this browser holds, and reloads once a processing image is ready. Without this
// script the page still shows everything and the delete form posts the pasted token.
const article = document.querySelector('.image-page')
const form = document.getElementById('delete-form')
const id = article && article.dataset.imageId
const storageKey = `delete-token:${id}`
const POLL_MS = 2000
const MAX_POLLS = 150

if (id) {
  keepTokenFromAddress()
  enhanceDelete()
  if (article.dataset.status === 'processing' || article.dataset.status === 'pending') poll(0)
}

// The upload form's redirect carries the token in the fragment, which browsers never send to a
// server. Keep it here and take it out of the address bar, history and any copied link.
function keepTokenFromAddress () {
  const match = /^#token=([A-Za-z0-9_-]{1,512})$/.exec(location.hash)
  if (!match) return
  localStorage.setItem(storageKey, match[1])
  window.history.replaceState(null, '', location.pathname + location.search)
}

function enhanceDelete () {
  const field = form.querySelector('.token-field')
  const input = document.getElementById('delete-token')
  const message = document.getElementById('delete-message')
  const showField = show => {
    field.hidden = !show
    document.getElementById('delete-stored').hidden = show
    input.required = show
  }
  showField(!localStorage.getItem(storageKey))
  // A link to this very page with a token (#token=...) changes only the fragment: no reload.
  window.addEventListener('hashchange', () => {
    keepTokenFromAddress()
    showField(!localStorage.getItem(storageKey))
  })
  form.addEventListener('submit', async event => {
    event.preventDefault()
    const stored = localStorage.getItem(storageKey)
    const token = stored || input.value.trim()
    if (!token) return
    if (!window.confirm('Delete this image and all its versions? This cannot be undone.')) return
    message.hidden = true
    const response = await fetch(`/images/${id}`, { method: 'DELETE', headers: { 'x-delete-token': token } }).catch(() => undefined)
    if (response && response.status === 204) {
      localStorage.removeItem(storageKey)
      location.assign('/gallery?deleted=1')
      return
    }
    if (response && response.status === 403) {
      if (stored) localStorage.removeItem(storageKey)
      showField(true)
      say(message, 'That delete token does not match this image. Nothing was deleted.')
    } else {
      say(message, response ? `Deleting failed (HTTP ${response.status}). Try again.` : 'The server could not be reached. Try again.')
    }
  })
}

function say (element, text) {
  element.textContent = text
  element.hidden = false
}

async function poll (count) {
  if (count >= MAX_POLLS) return
  await new Promise(resolve => window.setTimeout(resolve, POLL_MS))
  const response = await fetch(`/images/${id}`, { headers: { accept: 'application/json' } }).catch(() => undefined)
  const image = response && response.ok ? await response.json().catch(() => undefined) : undefined
  if (response && (response.status === 404 || (image && image.status !== article.dataset.status))) location.reload()
  else poll(count + 1)
}
