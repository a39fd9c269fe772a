// Debian's Chromium for the browser tests: headless, no sandbox (CI runs as
// root), nothing that reaches out to the network by itself.
import { chromium } from 'playwright-core';

export const CHROMIUM_OPTIONS = {
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
  timeout: 30000,
};

export function launchChromium() {
  return chromium.launch(CHROMIUM_OPTIONS);
}
