import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser } from 'playwright-core'

/** Screenshots land here; CI keeps them as artifacts. */
export const ARTIFACTS = join(import.meta.dirname, '..', 'artifacts')
mkdirSync(ARTIFACTS, { recursive: true })

/**
 * Debian's chromium, never a browser a tool downloads. The flags keep it from reaching for the
 * network this machine does not have.
 */
export async function launchBrowser (): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
  })
}
