// A form post of several files lands here with their delete tokens in the fragment
// (#tokens=<id>:<token>,...), which browsers never send to a server. Keep each for its image
// page and take them out of the address bar, history and any copied link.
const match = /^#tokens=([0-9a-f-]{36}:[A-Za-z0-9_-]{1,512}(,[0-9a-f-]{36}:[A-Za-z0-9_-]{1,512})*)$/.exec(location.hash)
if (match) {
  for (const pair of match[1].split(',')) {
    const [id, token] = pair.split(':')
    localStorage.setItem(`delete-token:${id}`, token)
  }
  window.history.replaceState(null, '', location.pathname + location.search)
}
