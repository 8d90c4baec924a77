import type { ReactNode } from 'react';
import { useEffect } from 'react';

import type { Locale } from '@payreq/contracts';
import { countryName, countryText, currencyName } from '@payreq/i18n';

import type { FieldName, FormValues } from './form';
import { plainAmount, requiredFields } from './form';
import { useFormValidation } from './use-form-validation';
import { Section, SelectField, TextField } from './ui';
import type { I18n } from './words';

const currencies = [
  'CNY',
  'USD',
  'EUR',
  'AED',
  'HKD',
  'TRY',
  'INR',
  'KZT',
  'GBP',
  'RUB',
  'JPY',
  'CHF',
];
const countries = [
  'CN',
  'HK',
  'AE',
  'TR',
  'IN',
  'KZ',
  'DE',
  'IT',
  'US',
  'GB',
  'SG',
  'KR',
  'VN',
  'TH',
];

/**
 * The payment request's form fields, in its sections (payer, payment, beneficiary, purpose,
 * comment): one component for the Mini App and the portal, so both ask the same things in the
 * same words and check them with the same contracts. The caller keeps the values and the save.
 */
export function RequestFormFields(props: {
  i18n: I18n;
  values: FormValues;
  readOnly: boolean;
  /** The message to show under a field (typing or the api's answer), or null. */
  errorOf: (name: FieldName) => string | null;
  onChange: (name: FieldName, value: string) => void;
  /** A section of the caller's own between the purpose and the comment (the Mini App's files). */
  beforeComment?: ReactNode;
}) {
  const { i18n, values, readOnly } = props;
  const locale = i18n.locale;
  const fieldProps = (name: FieldName) => ({
    name,
    label: i18n.field(name),
    value: values[name],
    onChange: (value: string) => props.onChange(name, value),
    readOnly,
    required: (requiredFields as readonly string[]).includes(name) && !readOnly,
    requiredText: i18n.t('required'),
    error: readOnly ? null : props.errorOf(name),
  });
  const dateProps = (name: FieldName) => ({
    ...fieldProps(name),
    type: 'date' as const,
    value: readOnly && values[name] ? i18n.date(values[name]) : values[name],
  });
  const validation = useFormValidation();
  const code = (name: FieldName, maxLength: number) => ({
    ...fieldProps(name),
    autoCapitalize: 'characters' as const,
    maxLength,
  });
  /** A country or currency code's name under it, once the code is one the form accepts. */
  const codeName = (name: FieldName, nameOf: (code: string, locale: Locale) => string | null) => {
    const typed = values[name].trim().toUpperCase();
    if (readOnly || !typed || !validation || validation.validateField(name, typed, locale)) {
      return null;
    }
    const named = nameOf(typed, locale);
    return named ? named.charAt(0).toUpperCase() + named.slice(1) : null;
  };
  // A country or currency typed by its name becomes its code once the name is whole: as it is
  // typed, and also when the names arrive (with the lazily loaded checks) after it was typed or
  // restored from a draft.
  const names = readOnly ? null : validation;
  const currencyCode = names?.currencyCodeOf(values.currency) ?? null;
  const clientCurrencyCode = names?.currencyCodeOf(values.clientCurrency) ?? null;
  const countryCode = names?.countryCodeOf(values.beneficiaryCountry) ?? null;
  const { onChange } = props;
  useEffect(() => {
    if (currencyCode) onChange('currency', currencyCode);
    if (clientCurrencyCode) onChange('clientCurrency', clientCurrencyCode);
    if (countryCode) onChange('beneficiaryCountry', countryCode);
  }, [currencyCode, clientCurrencyCode, countryCode, onChange]);
  /** A name field's error: past a code's length it is a name being typed, so say so. */
  const nameError = (name: FieldName, codeLength: number, notFound: string) => {
    const error = readOnly ? null : props.errorOf(name);
    return error && values[name].trim().length > codeLength ? notFound : error;
  };
  /** A country or currency field: a code or a name, with the code's name under it. */
  const nameOrCode = (name: FieldName, list: string, placeholder: string) => ({
    ...fieldProps(name),
    list,
    maxLength: 60,
    placeholder,
  });
  /**
   * Where the beneficiary's bank is, by its SWIFT code (its 5th and 6th letters): said under the
   * field, and asked to be checked when it is not the beneficiary's country (allowed: a
   * beneficiary may bank abroad, but a wrong code sends the money elsewhere).
   */
  const swiftHint = (() => {
    const swift = values.beneficiarySwift.trim().toUpperCase();
    if (readOnly || !swift || !validation) return null;
    if (validation.validateField('beneficiarySwift', swift, locale)) return null;
    const capital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
    const bankCountry = swift.slice(4, 6);
    const bank = countryName(bankCountry, locale);
    if (!bank) return null;
    const beneficiary = values.beneficiaryCountry.trim().toUpperCase();
    const beneficiaryName =
      beneficiary && !validation.validateField('beneficiaryCountry', beneficiary, locale)
        ? countryName(beneficiary, locale)
        : null;
    return beneficiaryName && beneficiary !== bankCountry
      ? i18n.t('swiftOtherCountry', { bank: capital(bank), beneficiary: capital(beneficiaryName) })
      : i18n.t('swiftCountry', { bank: capital(bank) });
  })();
  const amountPreview = (() => {
    const amount = values.amount;
    const currency = values.currency.trim().toUpperCase();
    if (!validation) return null;
    if (!amount.trim() || validation.validateField('amount', amount, locale)) return null;
    if (!currency || validation.validateField('currency', currency, locale)) return null;
    const preview = i18n.money(plainAmount(amount), currency);
    // Nothing to foresee when the field already reads as the preview does (a saved amount).
    const spaced = (text: string) => text.replace(/[\s\u00a0\u202f]+/g, ' ').trim();
    if (spaced(preview.replace(currency, '')) === spaced(amount)) return null;
    return preview;
  })();
  return (
    <>
      <Section title={i18n.t('sectionPayer')} testId="section-payer">
        <TextField {...fieldProps('payerName')} />
        {/* Room for the spaces people type to read an INN («7707 083 893»); they are dropped. */}
        <TextField {...fieldProps('payerTaxId')} inputMode="numeric" maxLength={16} />
      </Section>

      <Section title={i18n.t('sectionPayment')} testId="section-payment">
        <SelectField
          {...fieldProps('direction')}
          placeholder={i18n.t('choose')}
          options={[
            { value: 'OUTGOING', label: i18n.direction('OUTGOING') },
            { value: 'INCOMING', label: i18n.direction('INCOMING') },
          ]}
        />
        <TextField
          {...fieldProps('amount')}
          // Read-only, the amount is shown as people write it (grouped, the locale's comma),
          // and the "will be" preview has nothing left to foresee.
          value={
            readOnly && values.amount ? i18n.money(plainAmount(values.amount), null) : values.amount
          }
          inputMode="decimal"
          hint={
            !readOnly && amountPreview ? i18n.t('amountPreview', { value: amountPreview }) : null
          }
        />
        <TextField
          {...nameOrCode('currency', 'currencies', i18n.t('currencyPlaceholder'))}
          error={nameError('currency', 3, i18n.t('currencyNotFound'))}
          hint={codeName('currency', currencyName)}
        />
        <TextField
          {...nameOrCode('clientCurrency', 'currencies', i18n.t('currencyPlaceholder'))}
          error={nameError('clientCurrency', 3, i18n.t('currencyNotFound'))}
          hint={codeName('clientCurrency', currencyName)}
        />
        <TextField {...dateProps('desiredDate')} />
      </Section>

      <Section title={i18n.t('sectionBeneficiary')} testId="section-beneficiary">
        <TextField {...fieldProps('beneficiaryName')} />
        <TextField
          {...nameOrCode('beneficiaryCountry', 'countries', i18n.t('countryPlaceholder'))}
          // Read-only, the country is named as everywhere else: "Китай (CN)".
          value={
            readOnly && values.beneficiaryCountry
              ? countryText(values.beneficiaryCountry, locale)
              : values.beneficiaryCountry
          }
          error={nameError('beneficiaryCountry', 2, i18n.t('countryNotFound'))}
          hint={codeName('beneficiaryCountry', countryName)}
        />
        <TextField {...fieldProps('beneficiaryAddress')} multiline />
        <TextField {...fieldProps('beneficiaryBankName')} />
        <TextField {...code('beneficiarySwift', 14)} hint={swiftHint} />
        <TextField {...code('beneficiaryAccount', 42)} />
      </Section>

      <Section title={i18n.t('sectionPurpose')} testId="section-purpose">
        <TextField {...fieldProps('purpose')} multiline />
        <TextField {...fieldProps('contractNumber')} />
        <TextField {...dateProps('contractDate')} />
        <TextField {...fieldProps('invoiceNumber')} />
      </Section>
      {props.beforeComment}
      <Section title={i18n.t('sectionComment')} testId="section-comment">
        <TextField {...fieldProps('comment')} multiline />
      </Section>
      <datalist id="currencies">
        {currencies.map((currency) => (
          <option key={currency} value={currency} label={currencyName(currency, locale) ?? ''} />
        ))}
      </datalist>
      <datalist id="countries">
        {countries.map((country) => (
          <option key={country} value={country} label={countryName(country, locale) ?? ''} />
        ))}
      </datalist>
    </>
  );
}
