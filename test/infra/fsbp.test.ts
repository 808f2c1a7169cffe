import t from 'tap'
import { CONTROLS } from '../../infra/fsbp.js'
import { RESOURCE_RULES, STACK_RULES, checkStack } from '../../infra/policies.js'
import { fakeBuild, runProgram, stackConfig } from './fixtures/harness.js'

const RULES = new Set([...RESOURCE_RULES, ...STACK_RULES].map(rule => rule.name))
const { resources } = await runProgram({ ...stackConfig('prod'), buildDir: fakeBuild() })

t.test('every control maps to rules that exist, or says why the stack cannot check it', async t => {
  for (const control of CONTROLS) {
    const unknown = control.rules.filter(rule => !RULES.has(rule))
    t.same(unknown, [], `${control.id}: its rules exist`)
    t.ok(control.rules.length > 0 || (control.outside ?? '').length > 20, `${control.id}: checked, or explained`)
  }
})

t.test('the controls the issue names are all listed', async t => {
  const listed = new Set(CONTROLS.map(control => control.id))
  for (const id of ['S3.1', 'S3.2', 'S3.4', 'S3.5', 'S3.8', 'Lambda.1', 'Lambda.2', 'DynamoDB.2', 'APIGateway.9', 'CloudWatch.16']) t.ok(listed.has(id), id)
})

t.test('every rule backs some control, and the program passes all of them', async t => {
  const used = new Set(CONTROLS.flatMap(control => control.rules))
  t.same([...RULES].filter(rule => !used.has(rule)), [], 'no rule without a control')
  const failing = new Set(checkStack(resources).map(violation => violation.rule))
  for (const control of CONTROLS.filter(c => c.rules.length > 0)) {
    t.notOk(control.rules.some(rule => failing.has(rule)), `${control.id} passes`)
  }
})
