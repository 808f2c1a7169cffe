import neostandard from 'neostandard'

export default [
  ...neostandard({
    ts: true,
    ignores: ['node_modules', 'dist', '.data', '.tap', 'coverage', 'test/artifacts', 'bench/.tmp']
  }),
  {
    // Browser scripts served from /assets.
    files: ['app/ui/public/**/*.js'],
    languageOptions: {
      globals: { document: 'readonly', window: 'readonly', location: 'readonly', localStorage: 'readonly', FormData: 'readonly', XMLHttpRequest: 'readonly', URL: 'readonly', fetch: 'readonly' }
    }
  }
]
