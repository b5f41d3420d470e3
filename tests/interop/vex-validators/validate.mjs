// Validates a VEX document exported by Cradle with a validator Cradle did
// not write:
//   cyclonedx      the CycloneDX project's own JSON validator for 1.6
//                  (@cyclonedx/cyclonedx-library JsonStrictValidator: its
//                  bundled bom-1.6 schema with ajv)
//   openvex        ajv (JSON Schema 2020-12, ajv-formats; iri as RFC 3986 uri) with OpenVEX's
//                  own schema, openvex_json_schema.json from openvex/spec
//   csaf-basic     @secvisogram/csaf-validator-lib: schema + mandatory tests
//   csaf-extended  ... + optional tests (warnings are reported, and fail)
//   csaf-provider  a CSAF provider-metadata.json against OASIS's
//                  provider_json_schema.json (tests/data/csaf/, csaf-validator-lib
//                  does not ship it), with the CSAF 2.0 and CVSS schemas it
//                  refers to taken from csaf-validator-lib (its own ajv setup)
// Usage: node validate.mjs KIND FILE   -> prints "OK ..." or the errors, exit 1.
//        node validate.mjs csaf-batch FILE...  -> one line per check and file,
//   "OK <check> <file>" or "FAIL <check> <file> <errors>", where the check is
//   basic and extended for a CSAF document, provider for a file named
//   *provider-metadata.json (loading the validator once: on a busy machine
//   that is most of the time).
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const [kind, file, allowed] = process.argv.slice(2)
const here = path.dirname(fileURLToPath(import.meta.url))

async function providerValidator() {
  const { default: csafAjv } = await import('@secvisogram/csaf-validator-lib/lib/shared/csafAjv.js')
  const { default: csafSchema } = await import('@secvisogram/csaf-validator-lib/lib/schemaTests/csaf_2_0/schema.js')
  const schemaFile = path.join(here, '..', '..', 'data', 'csaf', 'provider_json_schema.json')
  const provider = JSON.parse(fs.readFileSync(schemaFile, 'utf8'))
  if (!csafAjv.getSchema(csafSchema.$id)) csafAjv.addSchema(csafSchema)
  return csafAjv.compile(provider)
}

if (kind === 'csaf-batch') {
  const { default: validateStrict } = await import('@secvisogram/csaf-validator-lib/validateStrict.js')
  const levels = {
    basic: Object.values(await import('@secvisogram/csaf-validator-lib/basic.js')),
    extended: Object.values(await import('@secvisogram/csaf-validator-lib/extended.js')),
  }
  const provider = await providerValidator()
  let bad = 0
  for (const f of process.argv.slice(3)) {
    const doc = JSON.parse(fs.readFileSync(f, 'utf8'))
    if (f.endsWith('provider-metadata.json')) {
      const ok = provider(doc)
      if (!ok) bad++
      console.log(ok ? `OK provider ${f}` : `FAIL provider ${f} ${JSON.stringify(provider.errors)}`)
      continue
    }
    for (const [level, tests] of Object.entries(levels)) {
      const res = await validateStrict(tests, doc)
      const failed = res.tests.filter((t) => !t.isValid || (t.errors ?? []).length || (t.warnings ?? []).length)
      const ok = res.isValid && !failed.length
      if (!ok) bad++
      console.log(ok ? `OK ${level} ${f}` : `FAIL ${level} ${f} ${JSON.stringify(failed.map((t) => ({ name: t.name, errors: t.errors, warnings: t.warnings })))}`)
    }
  }
  process.exit(bad ? 1 : 0)
}
// csaf-extended: optional tests (by name, comma-separated) whose warnings are
// printed but accepted; any other warning or error fails.
const allow = new Set((allowed ?? '').split(',').filter(Boolean))
const text = fs.readFileSync(file, 'utf8')

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
} else if (kind === 'csaf-provider') {
  const validate = await providerValidator()
  if (!validate(JSON.parse(text))) fail('CSAF 2.0 provider metadata schema', validate.errors)
  console.log('OK csaf provider metadata schema')
} else {
  console.log('usage: node validate.mjs cyclonedx|openvex|csaf-basic|csaf-extended|csaf-provider FILE')
  process.exit(2)
}
