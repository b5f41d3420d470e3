// Validates a CycloneDX JSON file against the official schema of its
// specVersion with the CycloneDX project's JsonStrictValidator (ajv + the
// bom-1.x schema shipped in @cyclonedx/cyclonedx-library). Prints "valid"
// and exits 0, or prints the schema errors and exits 1.
import { readFileSync } from 'node:fs';
import { Validation, Spec } from '@cyclonedx/cyclonedx-library';

const text = readFileSync(process.argv[2], 'utf8');
const version = JSON.parse(text).specVersion;
const validator = new Validation.JsonStrictValidator(version === '1.6' ? Spec.Version.v1dot6 : version);
const errors = await validator.validate(text);
if (errors === null) {
  console.log(`valid CycloneDX ${version}`);
} else {
  console.log(JSON.stringify(errors, null, 1));
  process.exit(1);
}
