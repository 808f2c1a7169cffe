import { html, type SafeHtml } from '../lib/html.js'
import { assetUrl } from './assets.js'

export interface PageOptions {
  title: string
  body: SafeHtml
  /** Module scripts from /assets that enhance the page; it must work without them. */
  scripts?: string[]
  current?: 'upload' | 'gallery'
}

/** The shell of every page: no inline script or style, so the CSP can stay 'self'. */
export function renderPage ({ title, body, scripts = [], current }: PageOptions): string {
  const nav = (href: string, label: string, key: PageOptions['current']) =>
    html`<a href="${href}"${key === current ? html` aria-current="page"` : html``}>${label}</a>`
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Images</title>
<link rel="stylesheet" href="${assetUrl('style.css')}">
${scripts.map(name => html`<script type="module" src="${assetUrl(name)}"></script>`)}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header><nav aria-label="Main">${nav('/', 'Upload', 'upload')}${nav('/gallery', 'Gallery', 'gallery')}</nav></header>
<main id="main">${body}</main>
</body>
</html>`.value
}
