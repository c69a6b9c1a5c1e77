// A template catalog as content validation sees it, from a plain map (template → machine
// names), for tests that check content against templates they name themselves.
export { lookupFromMap as templateLookup } from '../../host-agent/playgrounds/catalog';
