// A map of Milano's neighbourhoods drawn from the GeoJSON Trama serves
// (/geo/neighbourhoods.geojson), shaded by needs without a good match. No
// tile server: the shapes are the map. Leaflet is loaded only with the map.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import 'leaflet/dist/leaflet.css';

export interface AreaFigure {
  id: string;
  openNeeds: number;
  unmatchedNeeds: number;
}

/** The fill of a neighbourhood: darker with more unmet needs. */
export function shade(unmatched: number, max: number): string {
  if (max <= 0 || unmatched <= 0) return '#e6ecf2';
  const steps = ['#c6dbef', '#9ecae1', '#6baed6', '#3182bd', '#08519c'];
  return steps[Math.min(steps.length - 1, Math.floor((unmatched / max) * (steps.length - 1)))];
}

export default function AreaMap({ areas }: { areas: AreaFigure[] }) {
  const { t } = useTranslation();
  const element = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState(false);
  const key = JSON.stringify(areas);
  useEffect(() => {
    let map: import('leaflet').Map | undefined;
    let cancelled = false;
    const figures = new Map(areas.map((a) => [a.id, a]));
    const max = Math.max(0, ...areas.map((a) => a.unmatchedNeeds));
    Promise.all([import('leaflet'), fetch('/geo/neighbourhoods.geojson').then((r) => (r.ok ? r.json() : Promise.reject(r.status)))])
      .then(([L, geojson]) => {
        if (cancelled || !element.current) return;
        map = L.map(element.current, { attributionControl: true, scrollWheelZoom: false });
        map.attributionControl.setPrefix(false);
        map.attributionControl.addAttribution(t('map.attribution'));
        const layer = L.geoJSON(geojson, {
          style: (feature) => {
            const f = figures.get(String(feature?.properties?.id));
            return { color: '#06c', weight: 1, fillOpacity: 0.8, fillColor: shade(f?.unmatchedNeeds ?? 0, max) };
          },
          onEachFeature: (feature, l) => {
            const f = figures.get(String(feature.properties?.id));
            l.bindTooltip(
              `${feature.properties?.name}: ${t('map.tooltip', { open: f?.openNeeds ?? 0, unmatched: f?.unmatchedNeeds ?? 0 })}`,
            );
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
      <figcaption className="text-muted small">{t('map.caption')}</figcaption>
    </figure>
  );
}
