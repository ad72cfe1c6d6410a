// Evaluates every SDC calculatedExpression of each Questionnaire over its response with the reference JavaScript
// FHIRPath engine (npm fhirpath), so the C# tests can compare the server's Firely-based scores against it.
// stdin:  [{ "name": ..., "questionnaire": {...}, "response": {...} }, ...]
// stdout: [{ "name": ..., "scores": { "<linkId>": <number or null> } }, ...]
'use strict';
const fhirpath = require('fhirpath');
const r4 = require('fhirpath/fhir-context/r4');

const CALCULATED = 'http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression';

function* calculatedItems(items) {
  for (const item of items || []) {
    const ext = (item.extension || []).find(e => e.url === CALCULATED);
    if (ext && ext.valueExpression && ext.valueExpression.language === 'text/fhirpath') {
      yield { linkId: item.linkId, expression: ext.valueExpression.expression };
    }
    yield* calculatedItems(item.item);
  }
}

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', chunk => { input += chunk; });
process.stdin.on('end', () => {
  const cases = JSON.parse(input);
  const results = cases.map(({ name, questionnaire, response }) => {
    const scores = {};
    for (const { linkId, expression } of calculatedItems(questionnaire.item)) {
      // Renderers (LHC-Forms, smart-forms) bind %resource to the response themselves; fhirpath.js does not default it.
      const value = fhirpath.evaluate(response, expression, { resource: response, rootResource: response, questionnaire }, r4);
      scores[linkId] = value.length === 1 ? value[0] : (value.length === 0 ? null : value);
    }
    return { name, scores };
  });
  process.stdout.write(JSON.stringify(results));
});
