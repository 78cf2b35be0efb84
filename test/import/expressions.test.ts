import { describe, expect, it } from 'vitest';
import { evaluateTemplateString, type TemplateScope } from '../../src/import/arm-expressions.ts';

const scope: TemplateScope = {
  parameters: {
    site: { type: 'String', defaultValue: 'branch1' },
    gw: { type: 'String', defaultValue: "[concat('hub', '-vpngw')]" },
    noDefault: { type: 'String' },
  },
  variables: { prefixes: ['10.1.0.0/16', '10.2.0.0/16'], hub: { name: 'hub-weu' } },
};

const value = (text: string) => {
  const result = evaluateTemplateString(text, scope);
  if (!result.ok) throw new Error(result.error);
  return result.value;
};

describe('ARM template expressions: the simple ones exports use', () => {
  it('parameters, variables, concat, format, property and index access', () => {
    expect(value("[parameters('site')]")).toBe('branch1');
    expect(value("[parameters('gw')]")).toBe('hub-vpngw');
    expect(value("[concat(parameters('site'), '/', 'link1')]")).toBe('branch1/link1');
    expect(value("[format('{0}-{1}', parameters('site'), 2)]")).toBe('branch1-2');
    expect(value("[variables('prefixes')[1]]")).toBe('10.2.0.0/16');
    expect(value("[variables('hub').name]")).toBe('hub-weu');
    expect(value("[toLower('ABC')]")).toBe('abc');
    expect(value("['it''s']")).toBe("it's");
    expect(value('[[not an expression]')).toBe('[not an expression]');
    expect(value('plain text')).toBe('plain text');
  });

  it('resourceId gives a provider-relative id that names the resource', () => {
    expect(value("[resourceId('Microsoft.Network/vpnSites/vpnSiteLinks', parameters('site'), 'isp1')]")).toBe(
      '/providers/Microsoft.Network/vpnSites/branch1/vpnSiteLinks/isp1',
    );
    expect(value("[resourceId('sub', 'rg', 'Microsoft.Network/vpnSites', 'b2')]")).toBe(
      '/providers/Microsoft.Network/vpnSites/b2',
    );
  });

  it('what needs a deployment, or is wrong, is a message naming the problem', () => {
    const fail = (text: string) => {
      const result = evaluateTemplateString(text, scope);
      return result.ok ? '' : result.error;
    };
    expect(fail("[reference('x').id]")).toContain('reference() is not evaluated by vwan-ha');
    expect(fail("[parameters('noDefault')]")).toContain('has no defaultValue');
    expect(fail("[parameters('nope')]")).toContain('declares no parameter "nope"');
    expect(fail("[concat('a']")).toContain('cannot evaluate');
    expect(fail("[resourceId('Microsoft.Network/vpnSites/vpnSiteLinks', 'only-one')]")).toContain(
      'needs 2 name(s)',
    );
  });
});
