// Usage: node verify-bundle.js BUNDLE ARTIFACT TRUSTED_ROOT SAN_REGEXP ISSUER
// Exit 0 and print "verified" when @sigstore/verify accepts the bundle; exit 1 with the error otherwise.
'use strict';
const fs = require('fs');
const { Verifier, toSignedEntity, toTrustMaterial } = require('@sigstore/verify');
const { bundleFromJSON } = require('@sigstore/bundle');
const { TrustedRoot } = require('@sigstore/protobuf-specs');

const [bundlePath, artifactPath, trustedRootPath, san, issuer] = process.argv.slice(2);
try {
  const bundle = bundleFromJSON(JSON.parse(fs.readFileSync(bundlePath, 'utf8')));
  const trustedRoot = TrustedRoot.fromJSON(JSON.parse(fs.readFileSync(trustedRootPath, 'utf8')));
  const verifier = new Verifier(toTrustMaterial(trustedRoot));
  const signer = verifier.verify(toSignedEntity(bundle, fs.readFileSync(artifactPath)), {
    subjectAlternativeName: san,
    extensions: { issuer },
  });
  console.log('verified ' + (signer.identity ? signer.identity.subjectAlternativeName : ''));
} catch (e) {
  console.log('refused: ' + (e.code ? e.code + ': ' : '') + e.message);
  process.exit(1);
}
