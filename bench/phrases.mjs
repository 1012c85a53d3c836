// Fictional but realistic French wording for the seeded tickets. Each category has a few subjects
// and a few detail sentences; descriptions are assembled from an opening, a detail, a place and a
// closing, chosen by index, so 1,000,000 tickets share a few thousand distinct texts (as real
// requests do: most of them say the same things).

/** Subjects and details per category code of packs/demo-town/categories.yaml. */
export const CATEGORY_PHRASES = {
  'nid-de-poule': {
    subjects: ['Nid-de-poule dangereux sur la chaussée', 'Trou dans la route après les pluies', 'Chaussée défoncée devant l’école'],
    details: [
      'Un trou d’une vingtaine de centimètres s’est formé au milieu de la voie, les voitures font des écarts pour l’éviter.',
      'Plusieurs nids-de-poule se sont creusés au bord du trottoir depuis le dernier épisode de gel.',
      'Un cycliste a failli tomber ce matin, le trou se remplit d’eau et on ne le voit plus.',
    ],
  },
  'trottoir-degrade': {
    subjects: ['Trottoir dégradé', 'Dalles du trottoir soulevées', 'Bordure de trottoir cassée'],
    details: [
      'Les racines ont soulevé les dalles du trottoir, les personnes âgées et les poussettes ont du mal à passer.',
      'La bordure du trottoir est cassée sur plusieurs mètres et des morceaux de béton traînent sur la chaussée.',
      'Le revêtement du trottoir s’affaisse devant l’arrêt de bus, une personne en fauteuil roulant ne peut plus passer.',
    ],
  },
  signalisation: {
    subjects: ['Panneau stop arraché', 'Marquage au sol effacé', 'Panneau de signalisation tordu'],
    details: [
      'Le panneau a été renversé par un camion de livraison et gît sur le bas-côté.',
      'Le passage piéton n’est presque plus visible, les automobilistes ne s’arrêtent plus.',
      'Le panneau de limitation à 30 est tourné vers le mur et n’est plus lisible depuis la route.',
    ],
  },
  'depot-sauvage': {
    subjects: ['Dépôt sauvage de déchets', 'Sacs poubelle abandonnés', 'Gravats déposés sur la voie publique'],
    details: [
      'Des sacs de déchets ont été déposés sur le trottoir au pied des conteneurs, ça attire les rats.',
      'Un tas de gravats et de plaques de plâtre a été abandonné pendant la nuit.',
      'Un vieux matelas et des cartons sont là depuis une semaine, ça déborde sur la chaussée.',
    ],
  },
  'tags-graffitis': {
    subjects: ['Tags sur la façade', 'Graffitis sur l’abribus', 'Inscriptions injurieuses sur un mur'],
    details: [
      'Des tags ont été peints cette nuit sur la façade fraîchement rénovée.',
      'L’abribus est entièrement recouvert de graffitis, on ne voit plus les horaires.',
      'Des inscriptions injurieuses ont été taguées sur le mur de l’école, il faudrait les effacer rapidement.',
    ],
  },
  encombrants: {
    subjects: ['Demande d’enlèvement d’encombrants', 'Encombrants non ramassés', 'Rendez-vous pour la collecte des encombrants'],
    details: [
      'Je souhaite faire enlever un canapé et une armoire démontée, quelles sont les dates de passage ?',
      'Les encombrants déposés pour la collecte du mois n’ont pas été ramassés.',
      'Nous déménageons et aurions besoin d’un passage pour un réfrigérateur et une machine à laver.',
    ],
  },
  'proprete-rues': {
    subjects: ['Rue sale', 'Corbeille de rue qui déborde', 'Feuilles mortes non ramassées'],
    details: [
      'La corbeille déborde depuis plusieurs jours, les déchets s’envolent sur le trottoir.',
      'Les feuilles mortes rendent le trottoir glissant, une dame a glissé hier.',
      'Après le marché, la rue reste sale jusqu’au lendemain, il y a des cagettes partout.',
    ],
  },
  'lampadaire-en-panne': {
    subjects: ['Lampadaire en panne', 'Rue plongée dans le noir', 'Éclairage public qui clignote'],
    details: [
      'Le lampadaire ne s’allume plus depuis une semaine, la rue est complètement dans le noir le soir.',
      'Trois candélabres d’affilée sont éteints, on ne se sent pas en sécurité en rentrant du travail.',
      'La lampe clignote toute la nuit, c’est très gênant pour les riverains.',
    ],
  },
  'eclairage-jour': {
    subjects: ['Éclairage allumé en plein jour', 'Lampadaires allumés la journée'],
    details: [
      'Les lampadaires restent allumés toute la journée, c’est du gaspillage d’énergie.',
      'L’éclairage public ne s’éteint plus le matin depuis le changement d’heure.',
    ],
  },
  elagage: {
    subjects: ['Demande d’élagage', 'Branches dangereuses au-dessus de la voie', 'Arbre qui menace de tomber'],
    details: [
      'Les branches du platane touchent les fenêtres du premier étage et les fils électriques.',
      'Une grosse branche est fendue depuis la tempête et risque de tomber sur le trottoir.',
      'La haie déborde sur le trottoir et cache le panneau du carrefour.',
    ],
  },
  'entretien-espaces-verts': {
    subjects: ['Pelouse non tondue', 'Massif à l’abandon', 'Entretien du square'],
    details: [
      'L’herbe du square n’a pas été tondue depuis des semaines, les enfants ne peuvent plus y jouer.',
      'Le massif fleuri du rond-point est envahi par les mauvaises herbes.',
      'Les bancs du square sont entourés de ronces, il faudrait un passage de l’équipe des espaces verts.',
    ],
  },
  'aire-de-jeux': {
    subjects: ['Jeu cassé dans l’aire de jeux', 'Toboggan dangereux', 'Sol amortissant abîmé'],
    details: [
      'La balançoire a une chaîne cassée, un enfant pourrait se blesser.',
      'Le toboggan a une plaque métallique qui dépasse et coupe.',
      'Le sol souple est troué sous la structure d’escalade.',
    ],
  },
  'acte-naissance': {
    subjects: ['Demande d’acte de naissance', 'Copie intégrale d’acte de naissance', 'Extrait d’acte de naissance avec filiation'],
    details: [
      'Je souhaite obtenir une copie intégrale de mon acte de naissance pour un dossier de mariage.',
      'Pourriez-vous m’envoyer un extrait avec filiation pour le renouvellement de ma carte d’identité ?',
      'J’ai besoin de l’acte de naissance de mon fils pour son inscription à l’université.',
    ],
  },
  'acte-mariage': {
    subjects: ['Demande d’acte de mariage', 'Copie d’acte de mariage'],
    details: [
      'Nous nous sommes mariés à la mairie et avons besoin d’une copie de l’acte pour la banque.',
      'Je souhaite un extrait d’acte de mariage pour un dossier de retraite.',
    ],
  },
  'acte-deces': {
    subjects: ['Demande d’acte de décès', 'Copie d’acte de décès pour la succession'],
    details: [
      'Le notaire nous demande plusieurs copies de l’acte de décès de notre père.',
      'J’ai besoin d’un acte de décès pour clôturer les comptes de ma mère.',
    ],
  },
  'recensement-citoyen': {
    subjects: ['Recensement citoyen', 'Attestation de recensement perdue'],
    details: [
      'Mon fils vient d’avoir seize ans, quelles pièces faut-il pour le recensement ?',
      'J’ai perdu mon attestation de recensement et j’en ai besoin pour passer le permis de conduire.',
    ],
  },
  'certificat-urbanisme': {
    subjects: ['Demande de certificat d’urbanisme', 'Certificat d’urbanisme pour une vente'],
    details: [
      'Le notaire demande un certificat d’urbanisme d’information pour la vente de la maison.',
      'Nous voudrions savoir si le terrain est constructible avant de l’acheter.',
    ],
  },
  'declaration-prealable': {
    subjects: ['Déclaration préalable pour une clôture', 'Déclaration préalable de travaux', 'Suivi de ma déclaration préalable'],
    details: [
      'Je souhaite remplacer ma clôture et poser un portail, faut-il une déclaration préalable ?',
      'Nous avons déposé une déclaration pour des panneaux solaires et n’avons pas de réponse.',
      'Quels documents joindre pour agrandir une fenêtre en façade sur rue ?',
    ],
  },
  'reclamation-urbanisme': {
    subjects: [
      'Construction sans autorisation chez un voisin',
      'Réclamation sur des travaux voisins',
      'Haie trop haute en limite de propriété',
    ],
    details: [
      'Mon voisin construit un abri de jardin en limite de propriété sans panneau d’affichage.',
      'Des travaux ont lieu le dimanche et empiètent sur le trottoir avec une benne.',
      'La haie du voisin dépasse largement deux mètres et prive notre jardin de soleil.',
    ],
  },
  'inscription-scolaire': {
    subjects: ['Inscription scolaire', 'Inscription en petite section', 'Changement d’école'],
    details: [
      'Nous venons d’emménager et souhaitons inscrire nos deux enfants à l’école du quartier.',
      'Notre fille aura trois ans en septembre, comment l’inscrire en petite section ?',
      'Nous demandons une dérogation pour que notre fils rejoigne l’école de sa sœur.',
    ],
  },
  'restauration-scolaire': {
    subjects: ['Question sur la cantine', 'Menus de la restauration scolaire', 'Facture de cantine erronée'],
    details: [
      'Mon enfant a une allergie aux arachides, comment mettre en place un projet d’accueil individualisé ?',
      'Les menus de la semaine ne sont pas affichés sur le site de la mairie.',
      'La facture de cantine du mois compte des repas alors que mon fils était absent.',
    ],
  },
  'nuisances-sonores': {
    subjects: ['Nuisances sonores nocturnes', 'Bruit de chantier tôt le matin', 'Aboiements incessants'],
    details: [
      'Des jeunes se réunissent tous les soirs sur le parking avec de la musique très forte jusqu’à deux heures.',
      'Le chantier commence à six heures du matin, y compris le samedi.',
      'Le chien du voisin aboie toute la journée quand ses maîtres sont absents.',
    ],
  },
  'stationnement-genant': {
    subjects: ['Stationnement gênant', 'Voiture garée sur le trottoir', 'Véhicule ventouse'],
    details: [
      'Une voiture est garée tous les jours sur le trottoir, les piétons doivent marcher sur la route.',
      'Un véhicule sans plaque stationne au même endroit depuis plus d’un mois.',
      'Des voitures bloquent l’accès au garage et à la sortie des pompiers.',
    ],
  },
  'objet-trouve': {
    subjects: ['Objet trouvé', 'Perte de portefeuille', 'Clés perdues'],
    details: [
      'J’ai perdu mon portefeuille avec mes papiers samedi au marché.',
      'Un trousseau de clés a été trouvé devant la boulangerie et déposé à l’accueil.',
      'Mon fils a oublié son vélo au stade, a-t-il été rapporté ?',
    ],
  },
  'animal-errant': {
    subjects: ['Chien errant', 'Chat blessé sur la voie publique', 'Animal errant dans le quartier'],
    details: [
      'Un chien sans collier erre dans le quartier depuis deux jours et semble affamé.',
      'Un chat blessé est couché près de la haie, il ne bouge presque plus.',
      'Des poules échappées traversent la route régulièrement.',
    ],
  },
  autre: {
    subjects: ['Demande de renseignement', 'Question pour la mairie', 'Suggestion pour la commune'],
    details: [
      'Je voudrais connaître les horaires d’ouverture de la mairie pendant les vacances.',
      'Serait-il possible d’installer un banc près de l’arrêt de bus ?',
      'Je souhaite rencontrer un élu au sujet de la vie du quartier.',
    ],
  },
};

/** Used for any category not listed above (a pack other than the demo town). */
export const FALLBACK_PHRASES = CATEGORY_PHRASES.autre;

export const OPENINGS = [
  'Bonjour,',
  'Madame, Monsieur,',
  'Bonjour, je me permets de vous signaler la situation suivante.',
  'Bonsoir,',
  'Bonjour, je vous contacte au nom des riverains.',
  'Suite à mon appel de ce matin,',
];

export const CLOSINGS = [
  'Merci d’avance pour votre intervention.',
  'Cordialement.',
  'Pouvez-vous me tenir informé de la suite donnée ?',
  'Merci de faire le nécessaire rapidement.',
  'Je reste disponible si besoin de précisions.',
  'Bien cordialement, un habitant du quartier.',
];

/** Streets of the demo town (packs/demo-town/demo-tickets.yaml), with a point used for routing. */
export const STREETS = [
  ['rue Nationale', 47.3905, 0.689],
  ['place de la Mairie', 47.39, 0.6903],
  ['rue du Commerce', 47.3912, 0.6875],
  ['rue de la République', 47.3895, 0.6925],
  ['rue Victor-Hugo', 47.3922, 0.6937],
  ['rue des Halles', 47.3908, 0.6866],
  ['place du Marché', 47.3916, 0.6905],
  ['rue Jean-Jaurès', 47.388, 0.6858],
  ['avenue de la Gare', 47.3936, 0.6962],
  ['rue Pasteur', 47.3871, 0.6941],
  ['quai de Loire', 47.3841, 0.6895],
  ['rue du Château', 47.3866, 0.695],
  ['rue des Tanneurs', 47.3858, 0.687],
  ['boulevard Gambetta', 47.3952, 0.6848],
  ['avenue du Général-de-Gaulle', 47.3962, 0.6921],
];
/** Quartier Nord and Parc du Château (areas of packs/demo-town/routing.yaml). */
export const NORTH_STREETS = [
  ['allée des Grands-Champs', 47.405, 0.69],
  ['rue des Coquelicots', 47.407, 0.695],
  ['square Pablo-Neruda', 47.403, 0.685],
];
export const PARK_SPOTS = [
  ['parc du Château, allée des Tilleuls', 47.386, 0.7],
  ['parc du Château, près du kiosque', 47.3865, 0.701],
];

/** One sentence that only one ticket in 10,000 carries: the "rare word" search benchmark. */
export const RARE_WORD = 'mérule';
export const RARE_SENTENCE = 'Le propriétaire voisin évoque aussi une suspicion de mérule dans la cave commune.';
export const RARE_EVERY = 10_000;
export const COMMON_WORD = 'trottoir';

export const FIRST_NAMES = [
  'Marie',
  'Jean',
  'Nathalie',
  'Pierre',
  'Isabelle',
  'Michel',
  'Sylvie',
  'Philippe',
  'Catherine',
  'Alain',
  'Sandrine',
  'Nicolas',
  'Céline',
  'Christophe',
  'Aurélie',
  'Stéphane',
  'Julie',
  'Sébastien',
  'Camille',
  'Thomas',
  'Léa',
  'Lucas',
  'Manon',
  'Hugo',
  'Chloé',
  'Mohamed',
  'Fatima',
  'Karim',
  'Yasmine',
  'Nguyen',
  'Inès',
  'Mathis',
  'Françoise',
  'Bernard',
  'Monique',
  'Gérard',
  'Émilie',
  'Antoine',
  'Sophie',
  'Olivier',
];
export const LAST_NAMES = [
  'Martin',
  'Bernard',
  'Thomas',
  'Petit',
  'Robert',
  'Richard',
  'Durand',
  'Dubois',
  'Moreau',
  'Laurent',
  'Simon',
  'Michel',
  'Lefebvre',
  'Leroy',
  'Roux',
  'David',
  'Bertrand',
  'Morel',
  'Fournier',
  'Girard',
  'Bonnet',
  'Dupont',
  'Lambert',
  'Fontaine',
  'Rousseau',
  'Vincent',
  'Muller',
  'Lefèvre',
  'Faure',
  'André',
  'Mercier',
  'Blanc',
  'Guérin',
  'Boyer',
  'Garnier',
  'Chevalier',
  'François',
  'Legrand',
  'Gauthier',
  'Garcia',
  'Perrin',
  'Robin',
  'Clément',
  'Morin',
  'Nicolas',
  'Henry',
  'Roussel',
  'Mathieu',
  'Gautier',
  'Masson',
];
export const ORGANISATIONS = [
  'Association des riverains du centre',
  'Boulangerie du Marché',
  'Comité des fêtes',
  'Copropriété Les Tilleuls',
  'Office HLM Val de Loire',
  'Club de football de Saint-Aubin',
  'Pharmacie de la Gare',
  'Amicale des locataires des Grands-Champs',
];

export const REPLIES = [
  'Bonjour, votre demande a bien été transmise au service concerné. Une intervention est programmée.',
  'Bonjour, l’intervention a été réalisée. Nous vous remercions de votre signalement.',
  'Bonjour, pourriez-vous nous préciser l’adresse exacte ou joindre une photo ?',
  'Bonjour, le document demandé vous a été envoyé par courrier.',
];
export const NOTES = [
  'Équipe passée sur place, à reprogrammer avec la nacelle.',
  'Appel du demandeur : il relance, situation inchangée.',
  'Vu avec le responsable de secteur, intervention la semaine prochaine.',
];
