// A map of Milano's neighbourhoods drawn from the GeoJSON Trama serves
// (/geo/neighbourhoods.geojson), shaded by needs without a good match, over
// the outlines of the metropolitan area's municipalities
// (/geo/municipalities.geojson) for context. No tile server: the shapes are
// the map. Leaflet is loaded only with the map.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import 'leaflet/dist/leaflet.css';

export interface AreaMapProps {
  /** The figure that shades each neighbourhood, by id. */
  values: Record<string, number>;
  /** The tooltip of a neighbourhood. */
  describe: (name: string, id: string) => string;
  /** Clicking a neighbourhood (the same choice is offered as a checkbox beside the map). */
  onSelect?: (id: string) => void;
  selected?: string[];
  caption: string;
}

/** The fill of a neighbourhood: darker with more unmet needs. */
export function shade(unmatched: number, max: number): string {
  if (max <= 0 || unmatched <= 0) return '#e6ecf2';
  const steps = ['#c6dbef', '#9ecae1', '#6baed6', '#3182bd', '#08519c'];
  return steps[Math.min(steps.length - 1, Math.floor((unmatched / max) * (steps.length - 1)))];
}

export default function AreaMap({ values, describe, onSelect, selected = [], caption }: AreaMapProps) {
  const { t } = useTranslation();
  const element = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState(false);
  const key = JSON.stringify([values, selected]);
  // The callbacks change on every render; the map is redrawn only when the figures do.
  const callbacks = useRef({ describe, onSelect });
  callbacks.current = { describe, onSelect };
  useEffect(() => {
    let map: import('leaflet').Map | undefined;
    let cancelled = false;
    const max = Math.max(0, ...Object.values(values));
    // The municipalities are context only: the map works without them.
    const municipalities = fetch('/geo/municipalities.geojson')
      .then((r) => (r.ok ? r.json() : undefined))
      .catch(() => undefined);
    Promise.all([import('leaflet'), fetch('/geo/neighbourhoods.geojson').then((r) => (r.ok ? r.json() : Promise.reject(r.status))), municipalities])
      .then(([L, geojson, outlines]) => {
        if (cancelled || !element.current) return;
        map = L.map(element.current, { attributionControl: true, scrollWheelZoom: false, zoomSnap: 0.25 });
        map.attributionControl.setPrefix(false);
        map.attributionControl.addAttribution(t('map.attribution'));
        if (outlines) {
          map.attributionControl.addAttribution(t('map.municipalitiesAttribution'));
          L.geoJSON(outlines, {
            interactive: false,
            style: () => ({ color: '#8a8a8a', weight: 1, fillColor: '#f2f2f2', fillOpacity: 0.6 }),
          }).addTo(map);
        }
        const layer = L.geoJSON(geojson, {
          style: (feature) => {
            const id = String(feature?.properties?.id);
            const chosen = selected.includes(id);
            return {
              color: chosen ? '#000' : '#06c',
              weight: chosen ? 3 : 1,
              fillOpacity: 0.8,
              fillColor: shade(values[id] ?? 0, max),
            };
          },
          onEachFeature: (feature, l) => {
            const id = String(feature.properties?.id);
            l.bindTooltip(callbacks.current.describe(String(feature.properties?.name ?? ''), id));
            if (callbacks.current.onSelect) l.on('click', () => callbacks.current.onSelect?.(id));
          },
        }).addTo(map);
        const bounds = layer.getBounds();
        if (bounds.isValid()) map.fitBounds(bounds);
      })
      .catch(() => !cancelled && setFailed(true));
    return () => {
      cancelled = true;
      map?.remove();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  if (failed) return <p className="text-muted">{t('map.unavailable')}</p>;
  return (
    <figure className="area-map-figure">
      <div ref={element} className="area-map" role="region" aria-label={t('map.label')} />
      <figcaption className="text-muted small">{caption}</figcaption>
    </figure>
  );
}
