package seed

// The word lists posts and profiles are built from: a sentence is a subject, a verb
// phrase, an object and an ending of one language, so that each language has tens of
// thousands of different sentences, written as people write them (accents, ñ, ç, ã) and
// long enough for language detection to tell them apart.

// phrases are the parts of sentences of one language.
type phrases struct {
	code     string // the post.language value (ISO 639-1, as the detector answers)
	subjects []string
	verbs    []string
	objects  []string
	endings  []string
	abouts   []string // about_me texts
}

var english = phrases{
	code: "en",
	subjects: []string{"My brother", "My sister", "Our team", "The neighbour", "My best friend", "Everyone at work",
		"My grandmother", "The kid next door", "Nobody in the office", "My cat", "The whole family", "Our teacher"},
	verbs: []string{"just finished", "really enjoyed", "cannot stop talking about", "spent the afternoon with",
		"finally understood", "wrote a long review of", "was surprised by", "keeps recommending",
		"is still thinking about", "started learning about", "laughed a lot at", "took pictures of"},
	objects: []string{"the new bakery downtown", "a book about the history of London", "the football match",
		"that documentary about whales", "the concert in the park", "our garden this spring",
		"the old train station", "a recipe for apple pie", "the weather this week", "the museum of modern art",
		"a podcast about programming", "the long walk by the river"},
	endings: []string{"today.", "this morning!", "with some friends.", "and it was wonderful.", "again, of course.",
		"before dinner.", "and I would do it again.", "during the weekend.", "while it was raining.",
		"for the first time.", "and now I need a holiday.", "🎉", "☕ anyone else?"},
	abouts: []string{"Coffee lover and weekend hiker.", "I write about books, trains and good food.",
		"Software developer who enjoys gardening.", "Photographer, traveller, cat person.",
		"Learning something new every day.", "Teacher by day, musician by night."},
}

var spanish = phrases{
	code: "es",
	subjects: []string{"Mi hermano", "Mi hermana", "Nuestro equipo", "El vecino", "Mi mejor amigo", "La oficina entera",
		"Mi abuela", "La niña", "Nadie en el trabajo", "Mi gato", "Toda la familia", "Nuestra profesora"},
	verbs: []string{"acaba de terminar", "disfrutó muchísimo", "no para de hablar de", "pasó la tarde con",
		"por fin entendió", "escribió una reseña larga sobre", "se quedó sorprendido con", "sigue recomendando",
		"todavía está pensando en", "empezó a aprender sobre", "se rió mucho con", "sacó fotos de"},
	objects: []string{"la nueva panadería del centro", "un libro sobre la historia de Madrid", "el partido de fútbol",
		"ese documental sobre las ballenas", "el concierto en el parque", "nuestro jardín esta primavera",
		"la vieja estación de tren", "una receta de tarta de manzana", "el tiempo de esta semana",
		"el museo de arte moderno", "un pódcast sobre programación", "el largo paseo junto al río"},
	endings: []string{"hoy.", "esta mañana!", "con unos amigos.", "y fue maravilloso.", "otra vez, claro.",
		"antes de cenar.", "y lo volvería a hacer.", "durante el fin de semana.", "mientras llovía.",
		"por primera vez.", "y ahora necesito vacaciones.", "🎉", "¿alguien más? ☕"},
	abouts: []string{"Amante del café y del senderismo.", "Escribo sobre libros, trenes y buena comida.",
		"Desarrolladora de software a la que le encanta la jardinería.", "Fotógrafo, viajero y amigo de los gatos.",
		"Aprendiendo algo nuevo cada día.", "Profesor de día, músico de noche."},
}

var portuguese = phrases{
	code: "pt",
	subjects: []string{"Meu irmão", "Minha irmã", "Nosso time", "O vizinho", "Meu melhor amigo", "Todo mundo no escritório",
		"Minha avó", "A menina", "Ninguém no trabalho", "Meu gato", "A família inteira", "Nossa professora"},
	verbs: []string{"acabou de terminar", "adorou demais", "não para de falar sobre", "passou a tarde com",
		"finalmente entendeu", "escreveu uma resenha longa sobre", "ficou surpreso com", "continua recomendando",
		"ainda está pensando em", "começou a aprender sobre", "riu muito com", "tirou fotos de"},
	objects: []string{"a nova padaria do centro", "um livro sobre a história de Lisboa", "o jogo de futebol",
		"aquele documentário sobre baleias", "o show no parque", "o nosso jardim nesta primavera",
		"a velha estação de trem", "uma receita de torta de maçã", "o tempo desta semana",
		"o museu de arte moderna", "um podcast sobre programação", "a longa caminhada perto do rio"},
	endings: []string{"hoje.", "hoje de manhã!", "com uns amigos.", "e foi maravilhoso.", "de novo, claro.",
		"antes do jantar.", "e eu faria tudo outra vez.", "durante o fim de semana.", "enquanto chovia.",
		"pela primeira vez.", "e agora preciso de férias.", "🎉", "mais alguém? ☕"},
	abouts: []string{"Apaixonada por café e trilhas.", "Escrevo sobre livros, trens e boa comida.",
		"Desenvolvedor de software que adora jardinagem.", "Fotógrafa, viajante e amiga dos gatos.",
		"Aprendendo algo novo todos os dias.", "Professor de dia, músico à noite."},
}

// firstNames and lastNames make usernames: a mix of English, Spanish and Portuguese names,
// some with accents (usernames may hold letters of any script).
var firstNames = []string{"susan", "john", "maria", "joão", "ana", "carlos", "lucía", "pedro", "emma", "oliver",
	"sofía", "miguel", "beatriz", "thiago", "laura", "james", "camila", "rafael", "olivia", "diego",
	"isabel", "gabriel", "chloe", "mateo", "júlia", "daniel", "valentina", "andré", "grace", "pablo"}

var lastNames = []string{"smith", "silva", "garcía", "santos", "johnson", "fernández", "oliveira", "brown",
	"lópez", "souza", "taylor", "martínez", "costa", "wilson", "pereira", "sánchez", "almeida", "moore",
	"gómez", "ribeiro"}

// uiLanguages are the interface languages users may have chosen (nil: the browser's).
var uiLanguages = []string{"es", "pt_BR"}

// messageBodies are the private messages users send each other.
var messageBodies = []string{"Hi! Loved your last post.", "¿Nos vemos el sábado?", "Obrigado pela dica do livro!",
	"Are you coming to the meetup next week?", "¡Qué buena foto! ¿Dónde fue?", "Vamos tomar um café amanhã?",
	"Thanks for following me 🙂", "Te mando la receta esta noche.", "Você viu o jogo ontem? ⚽"}
