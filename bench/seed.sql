-- Realistic customers for one reseller, generated inside PostgreSQL (fast: no round trips).
-- Bound parameters: :reseller_id, :count, :start (a per-reseller number keeping identifiers
-- and e-mails unique across calls). setseed() is called first, so names are reproducible.
INSERT INTO customers (id, reseller_id, kind, name, identifier, email, phone, language,
                       country, contact_name, status, trial_ends_at, closed_at, created_at,
                       updated_at)
SELECT gen_random_uuid()::text, :reseller_id, kind, name,
       left(slug, 40) || '.' || lpad(n::text, 7, '0'),
       mailbox || n || '@' || domain,
       '+1' || (ARRAY['514', '438', '450', '819', '418', '581', '613'])[1 + floor(random() * 7)::int]
            || lpad(floor(random() * 10000000)::int::text, 7, '0'),
       CASE WHEN random() < 0.72 THEN 'fr' ELSE 'en' END,
       CASE WHEN random() < 0.93 THEN 'CA' ELSE 'US' END,
       contact, status,
       CASE WHEN status = 'trial' THEN created_at + interval '30 days' END,
       CASE WHEN status = 'closed' THEN created_at + interval '1 day' * floor(random() * 700) END,
       created_at, created_at + interval '1 day' * floor(random() * 90)
FROM (
  SELECT n, kind, name, contact, status, created_at, domain,
         trim(BOTH '.' FROM regexp_replace(
           translate(lower(name), 'àâäéèêëîïôöùûüçÉÈÀÇ''', 'aaaeeeeiioouuuceeac.'),
           '[^a-z0-9]+', '.', 'g')) AS slug,
         CASE WHEN kind = 'company'
              THEN (ARRAY['info', 'admin', 'contact', 'facturation', 'bureau', 'accounts'])
                   [1 + floor(random() * 6)::int]
              ELSE trim(BOTH '.' FROM regexp_replace(
                translate(lower(contact), 'àâäéèêëîïôöùûüçÉÈÀÇ''', 'aaaeeeeiioouuuceeac.'),
                '[^a-z0-9]+', '.', 'g'))
         END AS mailbox
  FROM (
    SELECT n, kind, first || ' ' || last AS contact, status, created_at,
           CASE WHEN kind = 'company'
                THEN trade || ' ' || core || suffix
                ELSE title || first || ' ' || last || profession
           END AS name,
           CASE WHEN kind = 'company'
                THEN lower(translate(core, 'àâäéèêëîïôöùûüçÉÈÀÇ'' -', 'aaaeeeeiioouuuceeac'))
                     || (ARRAY['.ca', '.com', '.qc.ca', '.net'])[1 + floor(random() * 4)::int]
                ELSE (ARRAY['gmail.com', 'videotron.ca', 'hotmail.com', 'outlook.com',
                            'sympatico.ca', 'bell.net', 'yahoo.ca', 'icloud.com'])
                     [1 + floor(random() * 8)::int]
           END AS domain
    FROM (
      SELECT n,
             CASE WHEN random() < 0.55 THEN 'company' ELSE 'professional' END AS kind,
             (ARRAY['Jean', 'Marie', 'Élodie', 'François', 'Sophie', 'Mathieu', 'Isabelle',
                    'Olivier', 'Nathalie', 'Alexandre', 'Catherine', 'Gabriel', 'Julie',
                    'Louis', 'Émilie', 'Samuel', 'Chloé', 'Félix', 'Mélanie', 'Antoine',
                    'Camille', 'David', 'Sarah', 'Michael', 'Jessica', 'Daniel', 'Amélie',
                    'Hugo', 'Léa', 'Thomas', 'Noémie', 'William', 'Geneviève', 'Maxime',
                    'Valérie', 'Étienne', 'Annie', 'Patrick', 'Karine', 'Raphaël'])
               [1 + floor(random() * 40)::int] AS first,
             (ARRAY['Tremblay', 'Gagnon', 'Roy', 'Côté', 'Bouchard', 'Gauthier', 'Morin',
                    'Lavoie', 'Fortin', 'Gagné', 'Ouellet', 'Pelletier', 'Bélanger',
                    'Lévesque', 'Bergeron', 'Leblanc', 'Paquette', 'Girard', 'Simard',
                    'Boucher', 'Caron', 'Beaulieu', 'Cloutier', 'Dubé', 'Poirier', 'Fournier',
                    'Lapointe', 'Leclerc', 'Lefebvre', 'Poulin', 'Thibault', 'St-Pierre',
                    'Nadeau', 'Martin', 'Landry', 'Martel', 'Bédard', 'Grenier', 'Lessard',
                    'Bernier', 'Smith', 'Brown', 'Wilson', 'Nguyen', 'Singh', 'Cohen',
                    'Rossi', 'Papadopoulos', 'Haddad', 'Chen'])
               [1 + floor(random() * 50)::int] AS last,
             (ARRAY['Boulangerie', 'Garage', 'Clinique', 'Transport', 'Construction',
                    'Plomberie', 'Pharmacie', 'Services', 'Groupe', 'Atelier', 'Studio',
                    'Restaurant', 'Toitures', 'Électricité', 'Immeubles', 'Informatique',
                    'Techno', 'Dépanneur', 'Traiteur', 'Excavation', 'Paysagement',
                    'Comptabilité', 'Assurances', 'Distribution', 'Entrepôts'])
               [1 + floor(random() * 25)::int] AS trade,
             (ARRAY['Laurentides', 'Boréal', 'Saint-Laurent', 'Montcalm', 'Nordik',
                    'Horizon', 'Alpha', 'Sommet', 'Érable', 'Pionnier', 'Maple', 'Summit',
                    'Northwind', 'Riverside', 'Lakeshore', 'Beauce', 'Mauricie', 'Outaouais',
                    'Gaspésie', 'Richelieu', 'Tremblay', 'Gagnon', 'Bouchard', 'Lavoie',
                    'Fortin', 'Pelletier', 'Bergeron', 'Simard', 'Caron', 'Poulin',
                    'Express', 'Plus', 'Pro', 'Expert', 'Royal', 'Central', 'Atlas',
                    'Polaris', 'Vertex', 'Zénith'])
               [1 + floor(random() * 40)::int]
               || CASE WHEN random() < 0.5 THEN ' ' || (n % 997) ELSE '' END AS core,
             (ARRAY[' inc.', ' ltée', ' enr.', ' S.E.N.C.', '', ' Inc.', ' Ltd', ' & fils'])
               [1 + floor(random() * 8)::int] AS suffix,
             (ARRAY['', '', 'Dr ', 'Dre ', 'Me ', ''])[1 + floor(random() * 6)::int] AS title,
             (ARRAY['', ', CPA', ', notaire', ', avocate', ', dentiste', ', architecte',
                    ', ingénieur', ', physiothérapeute', ', courtier', ''])
               [1 + floor(random() * 10)::int] AS profession,
             (ARRAY['production', 'production', 'production', 'production', 'production',
                    'production', 'trial', 'trial', 'suspended', 'closed'])
               [1 + floor(random() * 10)::int] AS status,
             now() - interval '1 day' * (power(random(), 1.4) * 6 * 365)
                   - interval '1 second' * floor(random() * 86400) AS created_at
      FROM generate_series(:start + 1, :start + :count) AS n
    ) picked
  ) named
) shaped
