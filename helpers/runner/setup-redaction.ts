// Loaded in every test worker before any test file: secrets known from the
// environment are registered, and console output is redacted from then on.
import { installConsoleRedaction } from '../output/say.ts'
import { registerPresentSecrets } from '../secrets/secrets.ts'

registerPresentSecrets()
installConsoleRedaction()
