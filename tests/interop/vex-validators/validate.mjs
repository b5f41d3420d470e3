// Validates a VEX document exported by Cradle with a validator Cradle did
// not write:
//   cyclonedx      the CycloneDX project's own JSON validator for 1.6
//                  (@cyclonedx/cyclonedx-library JsonStrictValidator: its
//                  bundled bom-1.6 schema with ajv)
//   openvex        ajv (JSON Schema 2020-12, ajv-formats; iri as RFC 3986 uri) with OpenVEX's
//                  own schema, openvex_json_schema.json from openvex/spec
//   csaf-basic     @secvisogram/csaf-validator-lib: schema + mandatory tests
//   csaf-extended  ... + optional tests (warnings are reported, and fail)
// Usage: node validate.mjs KIND FILE   -> prints "OK ..." or the errors, exit 1.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const [kind, file, allowed] = process.argv.slice(2)
// csaf-extended: optional tests (by name, comma-separated) whose warnings are
// printed but accepted; any other warning or error fails.
const allow = new Set((allowed ?? '').split(',').filter(Boolean))
const text = fs.readFileSync(file, 'utf8')
const here = path.dirname(fileURLToPath(import.meta.url))

function fail(what, detail) {
  console.log(`FAIL ${what}: ${JSON.stringify(detail, null, 1)}`)
  process.exit(1)
}

if (kind === 'cyclonedx') {
  const CDX = await import('@cyclonedx/cyclonedx-library')
  const v = new CDX.Validation.JsonStrictValidator(CDX.Spec.Version.v1dot6)
  const err = await v.validate(text)
  if (err !== null) fail('CycloneDX 1.6 JSON schema (strict)', err)
  console.log('OK cyclonedx 1.6 strict schema')
} else if (kind === 'openvex') {
  const { default: Ajv2020 } = await import('ajv/dist/2020.js')
  const { default: addFormats } = await import('ajv-formats')
  const { fullFormats } = await import('ajv-formats/dist/formats.js')
  // Not strict: OpenVEX's schema itself fails ajv's strict mode (a
  // `required` inside if/then/anyOf names properties defined one level up).
  const ajv = new Ajv2020({ allErrors: true, strict: false })
  addFormats(ajv)
  // "iri" is checked as an RFC 3986 URI, fragment allowed (Cradle writes
  // ASCII only, so an IRI of it is a URI). ajv-formats-draft2019's "iri"
  // is not used: it accepts only absolute IRIs without a fragment and with
  // an IANA-registered scheme, refusing the purls (pkg:) OpenVEX's own
  // examples use as @id.
  ajv.addFormat('iri', fullFormats.uri)
  const schema = JSON.parse(fs.readFileSync(path.join(here, 'openvex_json_schema.json'), 'utf8'))
  const validate = ajv.compile(schema)
  if (!validate(JSON.parse(text))) fail('OpenVEX 0.2 JSON schema', validate.errors)
  console.log('OK openvex 0.2 schema')
} else if (kind === 'csaf-basic' || kind === 'csaf-extended') {
  const { default: validateStrict } = await import('@secvisogram/csaf-validator-lib/validateStrict.js')
  const level = kind === 'csaf-basic' ? 'basic' : 'extended'
  const tests = await import(`@secvisogram/csaf-validator-lib/${level}.js`)
  const res = await validateStrict(Object.values(tests), JSON.parse(text))
  const failed = res.tests.filter(
    (t) => !t.isValid || (t.errors ?? []).length || ((t.warnings ?? []).length && !allow.has(t.name)))
  if (!res.isValid || failed.length)
    fail(`CSAF 2.0 ${level}`, failed.map((t) => ({ name: t.name, errors: t.errors, warnings: t.warnings })))
  const accepted = res.tests.filter((t) => (t.warnings ?? []).length && allow.has(t.name))
  console.log(`OK csaf ${level}: ${res.tests.length} tests, isValid ${res.isValid}` +
    (accepted.length ? `; accepted warnings: ${accepted.map((t) => `${t.name} (${t.warnings.map((w) => w.message).join('; ')})`).join(', ')}` : ''))
} else {
  console.log('usage: node validate.mjs cyclonedx|openvex|csaf-basic|csaf-extended FILE')
  process.exit(2)
}
